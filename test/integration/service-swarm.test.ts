// serve with "backend": "swarm" on a real two-node swarm (scripts/swarm-rig.sh): visitors land
// on both nodes and run code through the proxy, cannot reach each other, are told their
// notebook was lost when a node is drained or its engine dies (the pool refills elsewhere),
// are adopted by a restarted service, and `--down` leaves nothing on either node. First, a
// swarm-less engine is a clear error. Run under the engine lock (the host joins the swarm).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../../src/engine/index.js';
import { UserError } from '../../src/errors.js';
import { SL } from '../../src/service/labels.js';
import { serveDown, startServe, type ServeHandle } from '../../src/service/service.js';
import type { ServeSpec } from '../../src/service/config.js';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { runCode, startKernel } from '../helpers/jupyter.js';
import { ADMIN, spawn, splitUrl, testSpec, until } from '../helpers/serve.js';
import { startSwarmRig, type SwarmRig } from '../helpers/swarm.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));

test('serve: "backend": "swarm" on an engine that is not in a swarm is a clear error, and nothing is made', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  if ((await engine.swarm.state()).state !== 'inactive') return t.skip('the engine is in a swarm');
  const spec = testSpec(NOTEBOOK6_IMAGE, { backend: 'swarm' });
  await assert.rejects(startServe(engine, spec, { adminToken: ADMIN }), (err: Error) => {
    assert.ok(err instanceof UserError, `a user error, not ${err.constructor.name}`);
    assert.match(err.message, /"backend": "swarm" needs a swarm manager.*not in a swarm/);
    assert.match((err as UserError).hint ?? '', /docker swarm init/);
    return true;
  });
  const nets = (await engine.networks.list({ labels: [`${SL.service}=${spec.name}`] })).map((n) => n.name);
  assert.deepEqual(nets, []);
});

/** How many iptables rules of the service a node holds (the worker's, over ssh in its namespace). */
async function rulesOnNode(rig: SwarmRig, node: 'manager' | 'worker', service: string): Promise<number> {
  const list = async (chain: string) =>
    node === 'manager'
      ? (await run('iptables', ['-w', '-S', chain])).stdout
      : (await run('ssh', [...rig.sshOpts.split(' '), `root@${rig.workerAddr}`, `iptables -w -S ${chain}`])).stdout;
  const text = (await list('INPUT')) + (await list('DOCKER-USER'));
  return text.split('\n').filter((l) => l.includes(`"transferctl serve ${service}"`)).length;
}

describe('serve on a two-node swarm', () => {
  let rig: SwarmRig | undefined;
  let skip: string | undefined;
  let image = '';
  let spec: ServeSpec;
  let h: ServeHandle | undefined;
  const handles: ServeHandle[] = [];

  before(async () => {
    const r = await startSwarmRig();
    if ('skip' in r) skip = r.skip;
    else {
      rig = r;
      // Image path (a): the worker pulls it from the registry on the veth address.
      image = await rig.publish(NOTEBOOK6_IMAGE);
    }
  });
  after(async () => {
    for (const x of handles) await x.close().catch(() => {});
    if (rig && spec) await serveDown(createEngine(), spec, { env: sshEnv() }).catch(() => {});
    await rig?.down();
  });

  // serve fences in the visitors on the worker over ssh, through its "nodes" entry.
  const rulesOn = (node: 'manager' | 'worker', service: string) => rulesOnNode(rig!, node, service);
  const sshEnv = () => ({ ...process.env, TRANSFERCTL_SSH_OPTS: rig!.sshOpts });
  const workerNodes = () => ({ 'tc-rig=worker': `root@${rig!.workerAddr}` });
  const visitorsOn = (x: ServeHandle, node: string, state = 'assigned') => x.core.store.list().filter((s) => s.node === node && s.state === state);
  const runs = async (x: ServeHandle, url: string) => {
    const v = splitUrl(x, url);
    const kernel = await startKernel(v.base, v.token);
    return (await runCode(v.base, v.token, kernel, 'print(6 * 7)')).stdout.trim();
  };

  test('a burst of visitors lands on both nodes and each notebook runs code through the proxy', async (t) => {
    if (skip || !rig) return t.skip(skip);
    const engine = await requireEngine(t);
    spec = testSpec(image, {
      backend: 'swarm',
      pool: { size: 4, capacity: 6 },
      // No spread preference: Swarm applies one among a service's replicas, and each notebook
      // is a service of its own, so a preference only makes each placement a coin toss (seen: all
      // four on one node). Without it Swarm puts each new notebook on the node with fewest tasks.
      cull: { interval: 3600 },
      nodes: workerNodes(),
    });
    h = await startServe(engine, spec, { adminToken: ADMIN, env: sshEnv() });
    handles.push(h);
    await until('4 warm notebooks', () => h!.core.pool.counts().warm >= 4, 180_000);
    const nodes = new Set(h.core.store.list().map((s) => s.node));
    // When Swarm did not spread them, say what it saw: the nodes, every task, the pool's last failure.
    const seen = async () => {
      const ns = (await engine.swarm.nodes()).map((n) => `${n.id.slice(0, 8)} ${n.hostname} ${n.state}/${n.availability} ${JSON.stringify(n.labels)}`);
      const ts = (await engine.swarm.tasks()).map((x) => `${x.serviceId.slice(0, 8)}@${x.nodeId.slice(0, 8)} ${x.state} ${x.message} ${x.err}`);
      return `nodes: ${ns.join('; ')}\ntasks: ${ts.join('; ')}\npool's last failure: ${h!.core.pool.lastError ?? 'none'}`;
    };
    if (nodes.size !== 2) assert.fail(`Swarm did not spread the notebooks over both nodes\n${await seen()}`);
    const urls = await Promise.all([0, 1, 2, 3].map(() => spawn(h!)));
    for (const u of urls) assert.equal(u.status, 200);
    for (const u of urls) assert.equal(await runs(h, u.url!), '42');
    // The worker's notebooks really run on the worker's engine.
    const onWorker = await rig.worker.containers.list({ labels: { [SL.service]: spec.name } });
    assert.ok(onWorker.length >= 1, 'containers of the service on the worker');
    assert.ok(visitorsOn(h, rig.workerNode).length >= 1 && visitorsOn(h, rig.managerNode).length >= 1, 'visitors on both nodes');
    // The admin API and /metrics show them per node.
    const api = (await (await fetch(`${h.adminUrl}/admin/api/sessions`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as {
      nodes: { id: string; assigned: number; addr: string }[];
      sessions: { node: string }[];
    };
    const w = api.nodes.find((n) => n.id === rig!.workerNode);
    assert.equal(w?.addr, rig.workerAddr);
    assert.equal(w?.assigned, visitorsOn(h, rig.workerNode).length);
    assert.ok(api.sessions.every((s) => s.node === rig!.workerNode || s.node === rig!.managerNode));
    const metrics = await (await fetch(`${h.adminUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    assert.match(metrics, new RegExp(`transferctl_serve_node_containers\\{node="${rig.workerNode}",state="assigned"\\} ${visitorsOn(h, rig.workerNode).length}`));
  });

  test('a visitor on one node cannot reach a visitor on the other', async (t) => {
    if (skip || !rig || !h) return t.skip(skip ?? 'no service');
    const engine = await requireEngine(t);
    const a = visitorsOn(h, rig.workerNode)[0];
    const b = visitorsOn(h, rig.managerNode)[0];
    const aContainer = (await rig.worker.containers.list({ labels: { [SL.service]: spec.name, [SL.route]: a.route } }))[0];
    const bContainer = (await engine.containers.list({ labels: { [SL.service]: spec.name, [SL.route]: b.route } }))[0];
    assert.ok(aContainer && bContainer);
    const bAddrs = Object.values(await engine.containers.addresses(bContainer.id)).filter(Boolean);
    assert.ok(bAddrs.length > 0, 'b has an address');
    const probe = (host: string, port: number) =>
      `import socket\ntry:\n  socket.create_connection(('${host}', ${port}), 3).close(); print('open ${host}:${port}')\nexcept Exception as e:\n  print('closed ${host}:${port}', type(e).__name__)`;
    for (const addr of bAddrs) {
      const r = await rig.worker.containers.exec(aContainer.id, ['python3', '-c', probe(addr, 8888)]);
      assert.match(r.stdout, /^closed/, `visitor a reached visitor b's container at ${addr}: ${r.stdout}${r.stderr}`);
    }
    // The nodes' own addresses: neither another visitor's published port nor a node's own port
    // (the registry on the manager's veth address, the worker's sshd), in either direction.
    const closed = async (from: 'worker' | 'manager', id: string, host: string, port: number, what: string) => {
      const r = await (from === 'worker' ? rig!.worker : engine).containers.exec(id, ['python3', '-c', probe(host, port)]);
      assert.match(r.stdout, /^closed/, `a visitor on the ${from} reached ${what} at ${host}:${port}: ${r.stdout}${r.stderr}`);
    };
    const [regHost, regPort] = rig.registry.split(':');
    await closed('worker', aContainer.id, b.target.host, b.target.port, "the other visitor's published notebook port");
    await closed('manager', bContainer.id, a.target.host, a.target.port, "the other visitor's published notebook port");
    await closed('worker', aContainer.id, regHost, Number(regPort), "the manager's own port (registry)");
    await closed('manager', bContainer.id, rig.workerAddr, 22, "the worker's own port (sshd)");
    await closed('manager', bContainer.id, b.target.host, b.target.port, 'its own node\'s published port');
    assert.ok((await rulesOn('manager', spec.name)) > 0 && (await rulesOn('worker', spec.name)) > 0, 'the rules are on both nodes');
    // The proxy still reaches both (their answers pass the rules).
    assert.equal(await runs(h, `/user/${a.route}/tree?token=${a.token}`), '42');
  });

  test('restart adoption across nodes: a new serve takes back every visitor on both nodes', async (t) => {
    if (skip || !rig || !h) return t.skip(skip ?? 'no service');
    const engine = await requireEngine(t);
    const before = h.core.store.list().filter((s) => s.state === 'assigned');
    const url = `/user/${before[0].route}/tree?token=${before[0].token}`;
    await h.close();
    handles.splice(handles.indexOf(h), 1);
    h = await startServe(engine, spec, { adminToken: ADMIN, env: sshEnv() });
    handles.push(h);
    const adopted = h.adopted.adopted.filter((a) => a.state === 'assigned').map((a) => a.route).sort();
    assert.deepEqual(adopted, before.map((s) => s.route).sort());
    assert.ok(visitorsOn(h, rig.workerNode).length >= 1 && visitorsOn(h, rig.managerNode).length >= 1);
    assert.equal(await runs(h, url), '42');
  });

  test("the worker's engine dies mid-session: its visitors are told their notebook was lost, the pool refills on the manager, nothing is left when it returns", async (t) => {
    if (skip || !rig || !h) return t.skip(skip ?? 'no service');
    const x = h;
    const lost = visitorsOn(x, rig.workerNode);
    assert.ok(lost.length >= 1);
    await rig.killWorkerEngine();
    await until('the manager sees the worker down', async () => {
      const n = (await (await requireEngine(t)).swarm.nodes()).find((n) => n.id === rig!.workerNode);
      return n?.state === 'down';
    }, 120_000, 1000);
    const culled = await x.core.cullNow();
    for (const s of lost) assert.ok(culled.culled.some((c) => c.route === s.route && c.reason === 'lost'), `session ${s.route} lost`);
    const page = await fetch(`${x.url}/user/${lost[0].route}/tree?token=${lost[0].token}`);
    assert.equal(page.status, 410);
    assert.match(await page.text(), /the machine it ran on stopped/);
    await until('the pool refilled', () => x.core.pool.counts().warm >= 1, 180_000);
    for (const s of x.core.store.list()) assert.equal(s.node, rig.managerNode, 'every notebook now runs on the manager');
    const u = await spawn(x);
    assert.equal(await runs(x, u.url!), '42');

    await rig.restartWorkerEngine();
    await until('the worker is ready again and has removed the lost notebooks', async () => {
      const n = (await (await requireEngine(t)).swarm.nodes()).find((n) => n.id === rig!.workerNode);
      const left = await rig!.worker.containers.list({ labels: { [SL.service]: spec.name } }).catch(() => [{}]);
      return n?.state === 'ready' && left.length === 0;
    }, 180_000, 1000);
  });

  test('a drained node gets no visitors: its sessions are lost and the pool refills on the other', async (t) => {
    if (skip || !rig || !h) return t.skip(skip ?? 'no service');
    const x = h;
    // Everything runs on the manager now (the last test): drain it, the worker takes over.
    const onManager = visitorsOn(x, rig.managerNode);
    assert.ok(onManager.length >= 1);
    await run('docker', ['node', 'update', '--availability', 'drain', rig.managerNode]);
    try {
      const culled = await x.core.cullNow();
      for (const s of onManager) assert.ok(culled.culled.some((c) => c.route === s.route && c.reason === 'lost'));
      await until('the pool refilled on the worker', () => x.core.store.list().some((s) => s.state === 'warm' && s.node === rig!.workerNode), 180_000);
      for (const s of x.core.store.list()) assert.equal(s.node, rig.workerNode);
      const u = await spawn(x);
      assert.equal(await runs(x, u.url!), '42');
    } finally {
      await run('docker', ['node', 'update', '--availability', 'active', rig.managerNode]);
    }
  });

  test('serve itself as a swarm service (deploy/serve-stack.yml): killing its container makes Swarm start another, which adopts the visitors', async (t) => {
    if (skip || !rig) return t.skip(skip);
    const engine = await requireEngine(t);
    const dir = mkdtempSync(join(tmpdir(), 'tc-stack-'));
    const stack = `tcst${randomBytes(3).toString('hex')}`;
    const port = 20000 + (randomBytes(2).readUInt16BE() % 20000);
    const own = testSpec(image, { backend: 'swarm', listen: { address: '127.0.0.1', port }, pool: { size: 1, capacity: 2 }, network: { 'host-firewall': false } });
    const env = {
      ...process.env,
      TRANSFERCTL_SERVE_IMAGE: `transferctl-serve:${stack}`,
      TRANSFERCTL_SERVE_CONFIG: join(dir, 'serve.json'),
      TRANSFERCTL_SERVE_ADMIN_TOKEN: ADMIN,
    };
    // serve in a stack's container has no iptables of the nodes: the operator fences them (README).
    writeFileSync(join(dir, 'serve.json'), JSON.stringify({ name: own.name, image, backend: 'swarm', listen: { port }, pool: { size: 1, capacity: 2 }, limits: { memory: '512m' }, network: { 'host-firewall': false } }));
    const serveContainer = async () => (await engine.containers.list({ labels: { 'com.docker.stack.namespace': stack } })).find((c) => c.state === 'running');
    try {
      await run('bash', [join(REPO, 'scripts/serve-image.sh'), env.TRANSFERCTL_SERVE_IMAGE], { maxBuffer: 1 << 20 });
      await run('docker', ['stack', 'deploy', '-c', join(REPO, 'deploy/serve-stack.yml'), stack], { env });
      const url = `http://127.0.0.1:${port}`;
      await until('serve answers in its container', () => fetch(`${url}/health`).then((r) => r.ok, () => false), 120_000, 500);
      const first = (await serveContainer())!;
      await until('a warm notebook', async () => ((await (await fetch(`${url}/health`)).json()) as { pool: { warm: number } }).pool.warm >= 1, 120_000, 500);
      const got = (await (await fetch(`${url}/spawn`, { method: 'POST', headers: { accept: 'application/json' } })).json()) as { url: string };
      const fake = { url } as ServeHandle;
      assert.equal(await runs(fake, got.url), '42');
      await engine.containers.kill(first.id);
      await until('Swarm started a new serve container', async () => {
        const c = await serveContainer();
        return !!c && c.id !== first.id && (await fetch(`${url}/health`).then((r) => r.ok, () => false));
      }, 120_000, 500);
      assert.equal(await runs(fake, got.url), '42', 'the visitor kept their notebook through the new container');
    } finally {
      await run('docker', ['stack', 'rm', stack]).catch(() => {});
      await until('the stack is gone', async () => !(await engine.containers.list({ labels: { 'com.docker.stack.namespace': stack } })).length, 60_000).catch(() => {});
      await serveDown(engine, own);
      await run('docker', ['rmi', env.TRANSFERCTL_SERVE_IMAGE]).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a node that lacks the image is named; --prepare-nodes sends it over SSH, then notebooks start there', async (t) => {
    if (skip || !rig) return t.skip(skip);
    const engine = await requireEngine(t);
    // The plain name (not the registry's): the worker has only what it pulled from the registry.
    const local = testSpec(NOTEBOOK6_IMAGE, {
      backend: 'swarm',
      pool: { size: 1, capacity: 1 },
      placement: { constraints: ['node.labels.tc-rig == worker'] },
      nodes: workerNodes(),
    });
    const x = await startServe(engine, local, { adminToken: ADMIN, env: sshEnv() });
    handles.push(x);
    try {
      const err = await until('the start to fail', () => x.core.pool.lastError, 120_000);
      assert.match(err, new RegExp(`a notebook could not start on node \\S+ \\(${rig.workerNode.slice(0, 12)}, ${rig.workerAddr.replace(/\./g, '\\.')}\\)`));
      await x.close();
      handles.splice(handles.indexOf(x), 1);
      const { prepareNodes } = await import('../../src/service/backend/prepare-nodes.js');
      const r = await prepareNodes(engine, local, () => {}, { ...process.env, TRANSFERCTL_SSH_OPTS: rig.sshOpts });
      assert.deepEqual(r.prepared.map((p) => p.nodes), [[rig.workerNode]]);
      assert.deepEqual(r.uncovered, []);
      assert.ok(await rig.worker.images.inspect(NOTEBOOK6_IMAGE), 'the worker has the image now');
      t.diagnostic(`sent ${r.prepared[0].result.layers.sent} of ${r.prepared[0].result.layers.total} layers (${r.prepared[0].result.mode})`);
      const y = await startServe(engine, local, { adminToken: ADMIN, env: sshEnv() });
      handles.push(y);
      await until('a warm notebook on the worker', () => y.core.store.list().some((s) => s.state === 'warm' && s.node === rig!.workerNode), 120_000);
      await y.close();
      handles.splice(handles.indexOf(y), 1);
    } finally {
      await serveDown(engine, local, { env: sshEnv() });
    }
  });

  test('--down leaves no service, container or network on either node', async (t) => {
    if (skip || !rig || !h) return t.skip(skip ?? 'no service');
    const engine = await requireEngine(t);
    await h.close();
    handles.splice(handles.indexOf(h), 1);
    const r = await serveDown(engine, spec, { env: sshEnv() });
    assert.ok(r.removed.length > 0);
    assert.equal(r.missed, undefined, 'every node was reached');
    assert.equal(await rulesOn('manager', spec.name), 0, 'no firewall rule left on the manager');
    assert.equal(await rulesOn('worker', spec.name), 0, 'no firewall rule left on the worker');
    assert.deepEqual(await engine.swarm.services({ labels: { [SL.service]: spec.name } }), []);
    assert.deepEqual((await engine.networks.list({ labels: [`${SL.service}=${spec.name}`] })).map((n) => n.name), []);
    await until('no container of the service on either node', async () => {
      const here = await engine.containers.list({ labels: { [SL.service]: spec.name } });
      const there = await rig!.worker.containers.list({ labels: { [SL.service]: spec.name } });
      return here.length === 0 && there.length === 0;
    }, 60_000);
    const overlays = (await rig.wdocker('network', 'ls', '--format', '{{.Name}}')).split('\n').filter((n) => n.startsWith('tcs-'));
    assert.deepEqual(overlays, [], 'no overlay left on the worker');
  });
});
