// The engine facade's reading of engine failures: each message the engine (or a registry
// through it) is known to send maps to one kind, so no caller reads the engine's words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyEngineFailure, failureKind, missedUnsentLayers } from '../../../src/engine/errors.js';
import { EngineError } from '../../../src/errors.js';

test('registry refusals are "unauthorized", whatever else the message says', () => {
  assert.equal(classifyEngineFailure('unauthorized: authentication required'), 'unauthorized');
  assert.equal(classifyEngineFailure('no basic auth credentials'), 'unauthorized');
  assert.equal(classifyEngineFailure("pull access denied for x, repository does not exist or may require 'docker login'", 404), 'unauthorized');
  assert.equal(classifyEngineFailure('denied: requested access to the resource is denied'), 'unauthorized');
});

test('a 404 or a registry that has no such manifest is "not-found"', () => {
  assert.equal(classifyEngineFailure('No such container: abc', 404), 'not-found');
  assert.equal(classifyEngineFailure('Could not find the file /home/x in container abc', 404), 'not-found');
  // A container ID is random hex: one that spells 401 is still a missing file (CI saw this one).
  assert.equal(classifyEngineFailure('Could not find the file /archive/data/one-byte in container da136a186d371653e0f160269d740176d3e673944c0f735db045ccf2d9805e59', 404), 'not-found');
  assert.equal(classifyEngineFailure('No such image: sha256:40140140140140140140140140140140140140140140140140140140140140ab', 404), 'not-found');
  assert.equal(classifyEngineFailure('Head "https://r.example/v2/x/manifests/1": 401 Unauthorized'), 'unauthorized');
  assert.equal(classifyEngineFailure('No such image: nvidia/cuda:12', 404), 'not-found', 'an image named nvidia is not a GPU problem');
  assert.equal(classifyEngineFailure('manifest for 127.0.0.1:5000/x:nope not found: manifest unknown: manifest unknown'), 'not-found');
  assert.equal(classifyEngineFailure('name unknown: repository name not known to registry'), 'not-found');
});

test('registries the engine cannot reach are "registry-unreachable"', () => {
  assert.equal(classifyEngineFailure('Get "https://10.0.0.9:5000/v2/": dial tcp 10.0.0.9:5000: connect: connection refused'), 'registry-unreachable');
  assert.equal(classifyEngineFailure('Get "https://reg.example/v2/": dial tcp: lookup reg.example: no such host'), 'registry-unreachable');
  assert.equal(classifyEngineFailure('Get "https://10.0.0.9:5000/v2/": http: server gave HTTP response to HTTPS client'), 'registry-unreachable');
  assert.equal(classifyEngineFailure('Get "https://10.0.0.9:5000/v2/": net/http: request canceled (i/o timeout)'), 'registry-unreachable');
});

test('a host port in use is "port-taken"', () => {
  assert.equal(
    classifyEngineFailure('driver failed programming external connectivity on endpoint x: Bind for 127.0.0.1:8888 failed: port is already allocated', 500),
    'port-taken',
  );
  assert.equal(classifyEngineFailure('listen tcp4 127.0.0.1:8888: bind: address already in use', 500), 'port-taken');
});

test('GPUs on an engine without the NVIDIA runtime are "no-gpu-runtime"', () => {
  assert.equal(classifyEngineFailure('could not select device driver "" with capabilities: [[gpu]]', 500), 'no-gpu-runtime');
  assert.equal(classifyEngineFailure('unknown or invalid runtime name: nvidia', 400), 'no-gpu-runtime');
  assert.equal(classifyEngineFailure('nvidia-container-cli: initialization error: nvml error: driver not loaded', 500), 'no-gpu-runtime');
});

test('anything else is "other"', () => {
  assert.equal(classifyEngineFailure('Conflict. The container name "/gpu-box" is already in use by container "abc"', 409), 'other');
  assert.equal(classifyEngineFailure('something broke', 500), 'other');
});

test('a partial load that made the engine look for the layers it was not sent', () => {
  assert.equal(missedUnsentLayers('open /var/lib/docker/tmp/docker-import-1/base-0/layer.tar: no such file or directory'), true);
  assert.equal(missedUnsentLayers('content digest sha256:abc not found'), true);
  assert.equal(missedUnsentLayers('blob sha256:abc not found'), true);
  assert.equal(missedUnsentLayers('unexpected EOF'), false);
});

test('failureKind: an EngineError keeps the kind it was made with; a raw error is read from its status and words', () => {
  assert.equal(failureKind(new EngineError('push x failed: y', { kind: 'unauthorized' })), 'unauthorized');
  assert.equal(failureKind(new EngineError('made by us')), 'other');
  assert.equal(failureKind(Object.assign(new Error('(HTTP code 404) no such container - No such container: x'), { statusCode: 404 })), 'not-found');
  assert.equal(failureKind(Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' })), 'unreachable');
  assert.equal(failureKind(new Error('no basic auth credentials')), 'unauthorized');
});

test('a bind mount whose source is not on the engine\'s host is "bind-source-missing", not "not-found"', () => {
  const msg = 'invalid mount config for type "bind": bind source path does not exist: /tmp/tc-x/work';
  assert.equal(classifyEngineFailure(msg, 400), 'bind-source-missing');
  assert.equal(classifyEngineFailure('No such image: x', 404), 'not-found');
});
