import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { discoverEndpoint, parseEngineUrl, type DiscoveryInput } from '../../../src/engine/discovery.js';
import { EngineError } from '../../../src/errors.js';

function input(over: Partial<DiscoveryInput> & { files?: Record<string, string>; sockets?: string[] }): DiscoveryInput {
  return {
    env: over.env ?? {},
    home: '/home/u',
    exists: (p) => (over.sockets ?? []).includes(p),
    readFile: (p) => over.files?.[p],
  };
}

test('DOCKER_HOST comes first', () => {
  const ep = discoverEndpoint(input({ env: { DOCKER_HOST: 'tcp://10.0.0.5:2375' }, sockets: ['/var/run/docker.sock'] }));
  assert.equal(ep.source, 'DOCKER_HOST');
  assert.equal(ep.host, '10.0.0.5');
  assert.equal(ep.port, 2375);
  assert.equal(ep.protocol, 'http');
});

test('the docker context is honoured', () => {
  const digest = createHash('sha256').update('remote').digest('hex');
  const ep = discoverEndpoint(
    input({
      files: {
        '/home/u/.docker/config.json': '{"currentContext":"remote"}',
        [`/home/u/.docker/contexts/meta/${digest}/meta.json`]: '{"Endpoints":{"docker":{"Host":"ssh://me@box"}}}',
      },
    }),
  );
  assert.equal(ep.source, 'docker context remote');
  assert.equal(ep.protocol, 'ssh');
  assert.equal(ep.username, 'me');
});

test('default socket, then the rootless one', () => {
  assert.equal(discoverEndpoint(input({ sockets: ['/var/run/docker.sock'] })).socketPath, '/var/run/docker.sock');
  const rootless = discoverEndpoint(input({ env: { XDG_RUNTIME_DIR: '/run/user/1000' }, sockets: ['/run/user/1000/docker.sock'] }));
  assert.equal(rootless.source, 'rootless socket');
});

test('unix:// and bad URLs', () => {
  assert.equal(parseEngineUrl('unix:///tmp/d.sock', 'x').socketPath, '/tmp/d.sock');
  assert.throws(() => parseEngineUrl('ftp://x', 'DOCKER_HOST'), EngineError);
});
