import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDevcontainer } from '../../../../../src/config/devcontainer/parse.js';
import { resolveWorkspace } from '../../../../../src/config/load.js';
import { resolveRuntime } from '../../../../../src/workspace/environment/devcontainer/runtime.js';
import { missingFeatures } from '../../../../../src/workspace/environment/devcontainer/image-check.js';
import { commandsOf } from '../../../../../src/workspace/environment/devcontainer/lifecycle.js';
import { detectEnvironment } from '../../../../../src/workspace/environment/source.js';
import { planContainer } from '../../../../../src/workspace/plan.js';
import { ConfigError } from '../../../../../src/errors.js';

function project(t: { after(fn: () => void): void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tc-dcr-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const IMAGE = { env: { PATH: '/usr/bin:/bin' }, user: 'jovyan' };

function runtime(dir: string, config: object) {
  writeFileSync(join(dir, '.devcontainer.json'), JSON.stringify(config, null, 2));
  const dc = parseDevcontainer(join(dir, '.devcontainer.json'), dir, { devcontainerId: 'x', env: {} });
  return resolveRuntime(dc, IMAGE, { root: dir, home: '/home/me', hostEnv: {} });
}

test('mounts (string and object forms), ports on 127.0.0.1, env with ${containerEnv:…}, the user', (t) => {
  const dir = project(t, {});
  const rt = runtime(dir, {
    image: 'i',
    mounts: ['source=${localWorkspaceFolder}/data,target=/data,type=bind,consistency=cached', { type: 'volume', source: 'cache-vol', target: '/cache' }],
    forwardPorts: [8050],
    appPort: ['6006:6006'],
    containerEnv: { A: 'container' },
    remoteEnv: { P: '${containerEnv:PATH}:/opt/bin', B: '${containerEnv:A}-remote' },
    remoteUser: 'vscode',
  });
  assert.deepEqual(rt.mounts, [
    { type: 'bind', source: `${dir}/data`, target: '/data', readOnly: false },
    { type: 'volume', source: 'cache-vol', target: '/cache', readOnly: false },
  ]);
  assert.deepEqual(rt.ports, { '8050/tcp': [{ hostIp: '127.0.0.1', hostPort: 8050 }], '6006/tcp': [{ hostIp: '127.0.0.1', hostPort: 6006 }] });
  assert.deepEqual(rt.env, { A: 'container', P: '/usr/bin:/bin:/opt/bin', B: 'container-remote' });
  assert.equal(rt.user, 'vscode');
});

test("runArgs: run.cfg's allow-list (env, volumes, ports, GPUs, network) is taken", (t) => {
  const rt = runtime(project(t, {}), { image: 'i', runArgs: ['-e', 'X=1', '--volume=/srv/data:/data:ro', '-p', '9000:9000', '--gpus', 'all', '--network', 'bridge'] });
  assert.equal(rt.env.X, '1');
  assert.deepEqual(rt.mounts, [{ type: 'bind', source: '/srv/data', target: '/data', readOnly: true }]);
  assert.deepEqual(rt.ports['9000/tcp'], [{ hostIp: '127.0.0.1', hostPort: 9000 }]);
  assert.deepEqual(rt.gpu, { count: -1 });
  assert.equal(rt.network, 'bridge');
});

test('runArgs outside the allow-list are refused by name, at their place in the file', (t) => {
  const dir = project(t, {});
  assert.throws(
    () => runtime(dir, { image: 'i', runArgs: ['-e', 'X=1', '--cap-add=SYS_PTRACE', '--security-opt', 'seccomp=unconfined'] }),
    (err: unknown) => err instanceof ConfigError && /\.devcontainer\.json:6:5: runArgs\.2: "--cap-add=SYS_PTRACE" is not supported in runArgs \(allowed: -e\/--env/.test(err.message),
  );
  assert.throws(() => runtime(dir, { image: 'i', runArgs: ['--privileged'] }), /runArgs\.0: "--privileged" is not supported/);
  assert.throws(() => runtime(dir, { image: 'i', mounts: ['type=bind,target=/x'] }), /mounts\.0: .*a bind mount needs source/);
});

test('workspaceFolder alone moves where Jupyter starts, not the mount (/workspaces/<folder>), as in the Dev Containers CLI', (t) => {
  const dir = project(t, { '.devcontainer.json': JSON.stringify({ image: 'i', workspaceFolder: '/opt/notebooks' }) });
  const spec = resolveWorkspace({}, { configPath: join(dir, 'transfer.json'), root: dir });
  const mount = `/workspaces/${dir.split('/').pop()}`;
  assert.equal(spec.volume.mountPoint, mount);
  const plan = planContainer(spec, { uid: 1000, gid: 1000, hostPort: 8891, token: 't' }, resolveRuntime(spec.devcontainer!, IMAGE, { root: dir, hostEnv: {} }));
  assert.equal(plan.workingDir, '/opt/notebooks');
  assert.deepEqual(plan.mounts?.[0], { type: 'bind', source: dir, target: mount, readOnly: false });
});

test('the user: remoteUser, else containerUser, else a named image user', (t) => {
  const dir = project(t, {});
  assert.equal(runtime(dir, { image: 'i', containerUser: 'c' }).user, 'c');
  assert.equal(runtime(dir, { image: 'i' }).user, 'jovyan');
});

test('features: the image has them when its devcontainer.metadata label lists them (tag and short forms)', () => {
  const labels = { 'devcontainer.metadata': JSON.stringify([{ id: 'ghcr.io/devcontainers/features/node:1' }, { remoteUser: 'vscode' }, { id: 'ghcr.io/devcontainers/features/go:1.2.3' }]) };
  assert.deepEqual(missingFeatures(['ghcr.io/devcontainers/features/node:2', 'go', 'ghcr.io/devcontainers/features/rust:1'], labels), ['ghcr.io/devcontainers/features/rust:1']);
  assert.deepEqual(missingFeatures(['node'], {}), ['node']);
  assert.deepEqual(missingFeatures(['node'], { 'devcontainer.metadata': 'not json' }), ['node']);
});

test('lifecycle forms: a string through sh -c, a list as is, an object all at once', () => {
  assert.deepEqual(commandsOf({ kind: 'shell', command: 'a && b' }), [{ argv: ['/bin/sh', '-c', 'a && b'] }]);
  assert.deepEqual(commandsOf({ kind: 'exec', argv: ['a', 'b'] }), [{ argv: ['a', 'b'] }]);
  assert.deepEqual(commandsOf({ kind: 'parallel', commands: { x: { kind: 'exec', argv: ['x'] }, y: { kind: 'shell', command: 'y' } } }), [
    { name: 'x', argv: ['x'] },
    { name: 'y', argv: ['/bin/sh', '-c', 'y'] },
  ]);
});

test('which wins: a Dockerfile named in transfer.json, then devcontainer.json, then a Dockerfile in the folder', (t) => {
  const dir = project(t, { 'Dockerfile': 'FROM a\n', 'own.Dockerfile': 'FROM b\n', '.devcontainer/devcontainer.json': '{ "image": "i" }' });
  const where = { configPath: join(dir, 'transfer.json'), root: dir };
  assert.equal(detectEnvironment(resolveWorkspace({}, where)).kind, 'devcontainer');
  const named = detectEnvironment(resolveWorkspace({ image: { dockerfile: 'own.Dockerfile' } }, where));
  assert.deepEqual(named, { kind: 'dockerfile', dockerfile: join(dir, 'own.Dockerfile'), context: dir, from: 'config' });
  rmSync(join(dir, '.devcontainer'), { recursive: true });
  assert.equal(detectEnvironment(resolveWorkspace({}, where)).kind, 'dockerfile');
});

test('the plan: the folder at workspaceFolder, devcontainer settings merged, transfer.json wins, remoteUser mapped', (t) => {
  const dir = project(t, {
    '.devcontainer.json': JSON.stringify({ image: 'i', workspaceMount: 'source=${localWorkspaceFolder},target=/ws,type=bind', workspaceFolder: '/ws', containerEnv: { A: 'dc', B: 'dc' }, forwardPorts: [8888, 8050], remoteUser: 'vscode' }),
  });
  const spec = resolveWorkspace({ environment: { B: 'transfer.json' } }, { configPath: join(dir, 'transfer.json'), root: dir });
  assert.equal(spec.volume.mountPoint, '/ws');
  const rt = resolveRuntime(spec.devcontainer!, IMAGE, { root: dir, hostEnv: {} });
  const plan = planContainer(spec, { uid: 1000, gid: 1000, hostPort: 8891, token: 't' }, rt);
  assert.deepEqual(plan.mounts?.[0], { type: 'bind', source: dir, target: '/ws', readOnly: false });
  assert.equal(plan.workingDir, '/ws');
  assert.ok(plan.cmd?.includes('--notebook-dir=/ws'));
  assert.equal(plan.env?.A, 'dc');
  assert.equal(plan.env?.B, 'transfer.json');
  assert.equal(plan.env?.TRANSFERCTL_USER, 'vscode');
  // Jupyter's own port keeps its binding; the other forwarded port is added.
  assert.deepEqual(plan.ports?.['8888/tcp'], [{ hostIp: '127.0.0.1', hostPort: 8891 }]);
  assert.deepEqual(plan.ports?.['8050/tcp'], [{ hostIp: '127.0.0.1', hostPort: 8050 }]);
  const unmapped = planContainer({ ...spec, userMapping: false }, { uid: 1000, gid: 1000, hostPort: 8891, token: 't' }, { ...rt, containerUser: 'c' });
  assert.equal(unmapped.user, 'c');
});
