import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveWorkspace } from '../../../src/config/load.js';
import { jupyterCommand, planContainer, urlFor, ENTRYPOINT_NAME } from '../../../src/workspace/plan.js';
import { START_LABEL, START_PATH, startScriptOf, wrapWithStart } from '../../../src/start-script.js';
import { parseSeedForm } from '../../../src/cli/main.js';
import { L } from '../../../src/labels.js';

const spec = (raw = {}) => resolveWorkspace(raw, { configPath: '/w/transfer.json', root: '/w' });
const facts = { uid: 1234, gid: 2345, hostPort: 8890, token: 'tok' };

test('the container plan: folder mounted, port on 127.0.0.1, token, labels, user mapping', () => {
  const plan = planContainer(spec({ container: { name: 'c1' }, image: { name: 'img' } }), facts);
  assert.equal(plan.name, 'c1');
  assert.equal(plan.image, 'img');
  assert.deepEqual(plan.mounts?.[0], { type: 'bind', source: '/w', target: '/home/jovyan/work', readOnly: false });
  assert.deepEqual(plan.ports, { '8888/tcp': [{ hostIp: '127.0.0.1', hostPort: 8890 }] });
  assert.equal(plan.env?.JUPYTER_TOKEN, 'tok');
  assert.equal(plan.env?.TRANSFERCTL_UID, '1234');
  assert.equal(plan.env?.TRANSFERCTL_GID, '2345');
  assert.equal(plan.user, '0');
  assert.deepEqual(plan.entrypoint?.slice(0, 2), ['/bin/sh', '-c']);
  assert.match(plan.entrypoint?.[2] ?? '', /setpriv --reuid="\$uid"/);
  assert.equal(plan.entrypoint?.[3], ENTRYPOINT_NAME);
  assert.equal(plan.labels?.[L.workspace], '/w/transfer.json');
  assert.equal(plan.labels?.[L.managed], 'true');
  assert.equal(plan.workingDir, '/home/jovyan/work');
});

test('user mapping off: no entrypoint override, no root', () => {
  const plan = planContainer(spec({ 'user-mapping': false }), facts);
  assert.equal(plan.user, undefined);
  assert.equal(plan.entrypoint, undefined);
  assert.equal(plan.env?.TRANSFERCTL_UID, undefined);
});

test('ssh agent forwarding mounts the socket and sets SSH_AUTH_SOCK', () => {
  const plan = planContainer(spec({ 'ssh-agent': true }), { ...facts, sshAuthSock: '/tmp/agent.sock' });
  assert.ok(plan.mounts?.some((m) => m.source === '/tmp/agent.sock' && m.target === '/run/transferctl/ssh-agent.sock'));
  assert.equal(plan.env?.SSH_AUTH_SOCK, '/run/transferctl/ssh-agent.sock');
});

test('gpu and limits pass through', () => {
  const plan = planContainer(spec({ gpu: 2, resources: { memory: '1g', cpus: 2 } }), facts);
  assert.deepEqual(plan.gpu, { count: 2 });
  assert.equal(plan.memoryBytes, 1024 ** 3);
  assert.equal(plan.nanoCpus, 2e9);
});

test('jupyter commands per mode', () => {
  assert.deepEqual(jupyterCommand(spec()).slice(0, 1), ['jupyter-lab']);
  assert.deepEqual(jupyterCommand(spec({ jupyter: { mode: 'notebook' } })).slice(0, 1), ['jupyter-notebook']);
  assert.ok(jupyterCommand(spec({ volume: { 'mount-point': '/tf' } })).includes('--notebook-dir=/tf'));
  assert.deepEqual(jupyterCommand(spec({ jupyter: { command: ['python3', '-m', 'http.server', '{port}'], port: 9000 } })), ['python3', '-m', 'http.server', '9000']);
});

test('URLs point at the right page and never at 0.0.0.0', () => {
  assert.equal(urlFor(spec(), '127.0.0.1', 8888, 't'), 'http://127.0.0.1:8888/lab?token=t');
  assert.equal(urlFor(spec({ jupyter: { mode: 'notebook' } }), '0.0.0.0', 9, 't'), 'http://127.0.0.1:9/tree?token=t');
});

test("repo2docker's start wraps the notebook command when the image carries its label", () => {
  const s = spec({ jupyter: { mode: 'lab' } });
  const plain = planContainer(s, facts);
  assert.equal(plain.cmd?.[0], 'jupyter-lab');
  const wrapped = planContainer(s, { ...facts, startScript: START_PATH });
  assert.deepEqual(wrapped.cmd, [START_PATH, ...(plain.cmd ?? [])]);
  assert.equal(startScriptOf({ [START_LABEL]: START_PATH }), START_PATH);
  assert.equal(startScriptOf({}), undefined);
  assert.deepEqual(wrapWithStart([], START_PATH), [], "an empty command keeps the image's own CMD");
});

test("seed 000's grammar: [CONFIG] --build --start runs build then up", () => {
  assert.deepEqual(parseSeedForm(['my.json', '--start', '--build']), { config: 'my.json', steps: ['build', 'up'], rest: [] });
  assert.deepEqual(parseSeedForm(['--delete', '--stop']), { config: undefined, steps: ['stop', 'rm'], rest: [] });
  assert.deepEqual(parseSeedForm(['my.json', 'status', '--json']), { config: 'my.json', steps: [], rest: ['status', '--json'] });
  assert.deepEqual(parseSeedForm(['up', '--port', '9000']), { config: undefined, steps: [], rest: ['up', '--port', '9000'] });
});

test('a devcontainer user: the host user mapped onto it; a root host maps onto nothing and runs it as itself', () => {
  const dc = { env: {}, mounts: [], ports: {}, user: 'vscode', workspaceFolder: '/workspaces/w', lifecycle: {} };
  const mapped = planContainer(spec(), facts, dc);
  assert.equal(mapped.user, '0', 'starts as root only to become the host user');
  assert.equal(mapped.env?.TRANSFERCTL_USER, 'vscode');
  assert.equal(mapped.env?.TRANSFERCTL_UID, '1234');
  const asRoot = planContainer(spec(), { ...facts, uid: 0, gid: 0 }, dc);
  assert.equal(asRoot.user, 'vscode', 'remoteUser is honoured when the host user is root (as the Dev Containers CLI does)');
  assert.equal(asRoot.entrypoint, undefined);
  assert.equal(asRoot.env?.TRANSFERCTL_UID, undefined);
  // Without a devcontainer user, root stays root through the entrypoint (nothing to honour).
  assert.equal(planContainer(spec(), { ...facts, uid: 0, gid: 0 }, { ...dc, user: undefined }).user, '0');
});
