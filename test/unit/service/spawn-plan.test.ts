import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveServe } from '../../../src/service/config.js';
import { networkOptions, newIdentity, planPoolContainer, serverCommand, visitorCommand } from '../../../src/service/spawn-plan.js';
import { START_LABEL, START_PATH } from '../../../src/start-script.js';
import { assignedAtFromName, assignedName, SL, warmName } from '../../../src/service/labels.js';
import { cullVerdict } from '../../../src/service/cull-verdict.js';
import { parseUserPath } from '../../../src/service/proxy/index.js';

const spec = resolveServe({ name: 'ws', image: 'img:1', limits: { memory: '256m', cpus: 0.5, pids: 64 } }, null);

test('a visitor container is locked down and reachable only through 127.0.0.1', () => {
  const id = newIdentity();
  const c = planPoolContainer(spec, id, ['transferctl-jupyter']);
  assert.match(id.route, /^[0-9a-f]{32}$/);
  assert.ok(id.token.length >= 48);
  assert.equal(c.memoryBytes, 256 * 1024 ** 2);
  assert.equal(c.nanoCpus, 5e8);
  assert.equal(c.pidsLimit, 64);
  assert.deepEqual(c.securityOpt, ['no-new-privileges']);
  assert.deepEqual(c.capDrop, ['ALL']);
  assert.deepEqual(c.mounts, [], 'no engine socket, no host folders');
  assert.deepEqual(c.ports, { '8888/tcp': [{ hostIp: '127.0.0.1', hostPort: 0 }] });
  assert.equal(c.network, 'tcs-ws-net');
  assert.equal(c.env?.JUPYTER_TOKEN, id.token);
  assert.equal(c.user, '1000:100');
  assert.ok(c.cmd?.includes(`--ServerApp.base_url=/user/${id.route}/`));
  assert.ok(c.cmd?.includes(`--NotebookApp.base_url=/user/${id.route}/`));
  assert.equal(c.labels?.[SL.service], 'ws');
  assert.equal(c.labels?.[SL.route], id.route);
  assert.equal(c.labels?.['org.transferctl.role'], 'pool');
  assert.equal(c.labels?.['org.transferctl.managed'], 'true');
});

test('two identities never collide', () => {
  const seen = new Set(Array.from({ length: 1000 }, () => newIdentity().route));
  assert.equal(seen.size, 1000);
});

test('the server command comes from the config, else the image, else jupyter-lab', () => {
  assert.deepEqual(serverCommand(spec, ['transferctl-jupyter', '--ip=0.0.0.0']), ['transferctl-jupyter']);
  assert.deepEqual(serverCommand(spec, ['bash']), ['jupyter-lab']);
  assert.deepEqual(serverCommand({ ...spec, jupyter: { ...spec.jupyter, command: ['my-server'] } }, []), ['my-server']);
});

test("an image's repo2docker start script wraps every visitor's server, as it wraps up's", () => {
  const labels = { [START_LABEL]: START_PATH };
  assert.deepEqual(visitorCommand(spec, { cmd: ['jupyter-lab'], labels }), [START_PATH, 'jupyter-lab']);
  assert.deepEqual(visitorCommand(spec, { cmd: ['jupyter-lab'], labels: {} }), ['jupyter-lab']);
  assert.deepEqual(visitorCommand(spec, null), ['jupyter-lab']);
  const c = planPoolContainer(spec, newIdentity(), visitorCommand(spec, { cmd: ['jupyter-lab'], labels }));
  assert.deepEqual(c.cmd.slice(0, 3), [START_PATH, 'jupyter-lab', '--ip=0.0.0.0'], 'the start script execs the server with its arguments');
});

test('the network disables traffic between containers', () => {
  assert.equal(networkOptions(true)['com.docker.network.bridge.enable_icc'], 'false');
  assert.equal(networkOptions(false)['com.docker.network.bridge.enable_ip_masquerade'], 'false');
});

test('a container name records the hand-out', () => {
  const route = 'a'.repeat(32);
  assert.equal(assignedAtFromName(warmName('ws', route)), undefined);
  const at = 1_790_000_000_000;
  assert.equal(assignedAtFromName(assignedName('ws', route, at)), at);
});

test('cull verdicts: traffic, busy kernels, server activity, max age', () => {
  const now = 1_000_000;
  const s = { state: 'assigned' as const, createdAt: now - 50_000, assignedAt: now - 40_000, lastActivity: now - 20_000 };
  const base = { now, session: s, idleMs: 10_000, maxAgeMs: 100_000 };
  assert.equal(cullVerdict({ ...base, session: { ...s, state: 'warm' } }), 'keep');
  assert.equal(cullVerdict({ ...base, session: { ...s, lastActivity: now - 1000 } }), 'keep');
  assert.equal(cullVerdict(base), 'probe');
  assert.equal(cullVerdict({ ...base, jupyter: { busy: true, kernels: 1, lastActivity: now - 30_000 } }), 'keep');
  assert.equal(cullVerdict({ ...base, jupyter: { busy: false, kernels: 1, lastActivity: now - 5000 } }), 'keep');
  assert.equal(cullVerdict({ ...base, jupyter: { busy: false, kernels: 1, lastActivity: now - 30_000 } }), 'idle');
  assert.equal(cullVerdict({ ...base, jupyter: null }), 'keep');
  assert.equal(cullVerdict({ ...base, maxAgeMs: 30_000, session: { ...s, lastActivity: now } }), 'max-age');
});

test('visitor paths are parsed strictly', () => {
  const r = '0123456789abcdef0123456789abcdef';
  assert.deepEqual(parseUserPath(`/user/${r}/lab?token=x`), { route: r, rest: '/lab' });
  assert.deepEqual(parseUserPath(`/user/${r}`), { route: r, rest: '' });
  assert.equal(parseUserPath('/user/../admin'), undefined);
  assert.equal(parseUserPath(`/user/${r}x/`), undefined);
});

test('the proxy reaches containers by address on local Linux engines, else by published port', async () => {
  const { wantsAddress } = await import('../../../src/service/target.js');
  const local = { isLocal: true, endpoint: { socketPath: '/var/run/docker.sock' } } as unknown as import('../../../src/engine/index.js').Engine;
  const remote = { isLocal: false, endpoint: { host: 'build-box', port: 2376 } } as unknown as import('../../../src/engine/index.js').Engine;
  assert.equal(wantsAddress(local, 'auto', 'linux'), true);
  assert.equal(wantsAddress(local, 'auto', 'darwin'), false, 'Docker Desktop: container addresses are not reachable from the host');
  assert.equal(wantsAddress(remote, 'auto', 'linux'), false);
  assert.equal(wantsAddress(local, 'port', 'linux'), false);
  assert.equal(wantsAddress(remote, 'address', 'linux'), true);
});

test('limits.disk: read-only root, size-limited tmpfs home (owned by the user), /tmp and VOLUMEs, home copied from the seed; no swap', async () => {
  const { imageHome } = await import('../../../src/service/home-seed.js');
  const id = newIdentity();
  const disk = { bytes: 64 * 1024 ** 2, home: '/home/jovyan', seed: 'tcs-ws-home-abc', volumes: ['/data'] };
  const c = planPoolContainer(spec, id, ['transferctl-jupyter'], disk);
  assert.equal(c.readOnlyRoot, true);
  assert.equal(c.memorySwapBytes, c.memoryBytes);
  assert.equal(c.tmpfs?.['/home/jovyan'], `rw,exec,nosuid,nodev,size=${64 * 1024 ** 2},uid=1000,gid=100,mode=0700`);
  assert.match(c.tmpfs?.['/tmp'] ?? '', /size=67108864/);
  assert.match(c.tmpfs?.['/data'] ?? '', /size=67108864/);
  assert.deepEqual(c.mounts, [{ type: 'volume', source: 'tcs-ws-home-abc', target: '/.transferctl-home', readOnly: true }]);
  assert.deepEqual(c.cmd?.slice(0, 5), ['sh', '-c', 'cp -a /.transferctl-home/. "$1" && shift && exec "$@"', 'transferctl-home', '/home/jovyan']);
  assert.equal(c.cmd?.[5], 'transferctl-jupyter');
  assert.equal(planPoolContainer(spec, id, ['x']).readOnlyRoot, undefined, 'limits.disk: false');
  assert.equal(imageHome({ workingDir: '/home/jovyan', env: [] }), '/home/jovyan');
  assert.equal(imageHome({ workingDir: '', env: ['HOME=/srv/me'] }), '/srv/me');
  assert.equal(imageHome({ workingDir: '/', env: [] }), undefined);
});
