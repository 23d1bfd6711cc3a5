// doctor's verdicts from made-up probes: what is found, what to do, and when it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, type Probes } from '../../../src/doctor/checks.js';
import type { EngineInfo } from '../../../src/engine/index.js';

const INFO: EngineInfo = {
  serverVersion: '29.0.1', apiVersion: '1.52', os: 'linux', arch: 'amd64', storageDriver: 'overlayfs',
  containerdSnapshotter: true, runtimes: ['runc', 'nvidia'], cgroupVersion: '2', ncpu: 8, memTotal: 32e9,
  rootless: true, rootDir: '/home/u/.local/share/docker', swarm: 'inactive',
};

function probes(over: Partial<Probes> = {}): Probes {
  return {
    endpoint: () => ({ source: 'default socket', url: 'unix:///var/run/docker.sock', socketPath: '/var/run/docker.sock' }),
    isLocal: () => true,
    engineInfo: async () => INFO,
    hasImage: async (ref) => ref.endsWith(':trixie'),
    freeBytes: async () => 2e9,
    commandVersion: async (cmd) => (cmd === 'ssh' ? 'OpenSSH_9.2p1' : undefined),
    registryAnswers: async () => false,
    configuredRegistry: () => undefined,
    ...over,
  };
}
const INPUT = { baseImages: ['transferctl/jupyter:trixie', 'transferctl/jupyter:bookworm'], stacksImage: 'quay.io/x:1', stacksRegistry: 'quay.io' };
const find = (r: Awaited<ReturnType<typeof diagnose>>, check: string) => r.findings.find((f) => f.check === check)!;

test('an answering engine: its facts on one line, base images, low disk and a configured registry that does not answer are warnings', async () => {
  const r = await diagnose(probes({ configuredRegistry: () => 'nvcr.io' }), INPUT);
  assert.equal(r.engineAnswers, true);
  const engine = find(r, 'engine');
  assert.equal(engine.level, 'ok');
  assert.match(engine.detail, /Docker 29\.0\.1 \(API 1\.52\).*found by: default socket.*containerd's image store, rootless, cgroups v2/);
  assert.match(engine.hint!, /whole images/);
  assert.deepEqual([find(r, 'base images').level, find(r, 'base images').detail], ['ok', 'transferctl/jupyter:trixie']);
  assert.equal(find(r, 'disk').level, 'warn');
  assert.match(find(r, 'disk').detail, /2\.0 GB free under \/home\/u\/\.local\/share\/docker/);
  assert.equal(find(r, 'GPU').level, 'ok');
  assert.deepEqual([find(r, 'registry').level, find(r, 'registry').detail], ['warn', 'nvcr.io does not answer (commit.repo)']);
  assert.equal(find(r, 'podman').level, 'info');
});

test('no engine: a failure with what to do, and the rest is still reported', async () => {
  const r = await diagnose(probes({ engineInfo: async () => 'connect ENOENT', registryAnswers: async () => true }), INPUT);
  assert.equal(r.engineAnswers, false);
  assert.equal(find(r, 'engine').level, 'fail');
  assert.match(find(r, 'engine').hint!, /start Docker/);
  assert.equal(find(r, 'ssh').level, 'ok');
  assert.deepEqual([find(r, 'registry').level, find(r, 'registry').detail], ['ok', 'quay.io answers']);
  assert.equal(r.findings.some((f) => f.check === 'disk'), false, 'nothing about the engine is guessed');
});

test('no base image and no ssh: each says how to get it; a remote engine\'s disk is not measured from here', async () => {
  const r = await diagnose(
    probes({
      endpoint: () => ({ source: 'DOCKER_HOST', url: 'ssh://u@h', host: 'h', protocol: 'ssh' }),
      isLocal: () => false,
      hasImage: async () => false,
      commandVersion: async () => undefined,
    }),
    INPUT,
  );
  assert.match(find(r, 'base images').hint!, /transferctl base create/);
  assert.match(find(r, 'ssh').hint!, /openssh-client/);
  assert.equal(find(r, 'disk').level, 'info');
  assert.match(find(r, 'disk').detail, /not checked from here/);
});
