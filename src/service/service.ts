// `transferctl serve` as a function: check the image, make the network, adopt what a previous
// run left, listen, fill the pool, cull. Returns a handle; close() leaves visitors running.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Engine } from '../engine/index.js';
import { UserError } from '../errors.js';
import { debug } from '../log.js';
import { adopt, type AdoptResult } from './adopt.js';
import { Holdings } from './holdings.js';
import { prepareDisk } from './home-seed.js';
import { guardNetwork } from './network-guard.js';
import { claimService, stopBeforeDown } from './serve-lock.js';
import { fenceNetwork, removeFirewall, requireFirewall } from './host-firewall.js';
import { fenceSwarm, unfenceSwarm } from './backend/swarm-firewall.js';
import { adminPort, type ServeSpec } from './config.js';
import { buildAdminServer } from './admin-server.js';
import type { ServiceCore } from './core.js';
import { startCuller } from './culler.js';
import { landingPath, primePage } from './jupyter-api.js';
import { networkName, SL } from './labels.js';
import { serviceMetrics } from './metrics.js';
import { Pool } from './pool.js';
import { createProxy, DEFAULT_PROXY_OPTIONS } from './proxy/index.js';
import { buildServer } from './server.js';
import { visitorCommand } from './spawn-plan.js';
import { createSpawner, ensureNetwork } from './spawner.js';
import { adoptSwarm } from './backend/swarm-adopt.js';
import { nodeGauge } from './backend/swarm-nodes.js';
import { swarmDown } from './backend/swarm-down.js';
import { createSwarmSpawner, requireSwarmManager } from './backend/swarm-spawner.js';
import { MemoryStore, type RouteStore } from './store.js';

export interface ServeOptions {
  store?: RouteStore;
  adminToken?: string;
  env?: NodeJS.ProcessEnv;
  log?: (m: string) => void;
}

export interface ServeHandle {
  url: string;
  port: number;
  /** The admin's own origin (page at /admin, API at /admin/api, /metrics). */
  adminUrl: string;
  adminPort: number;
  adminToken: string;
  adminTokenGenerated: boolean;
  adopted: AdoptResult;
  core: ServiceCore;
  /** Stop serving; visitors' containers keep running for the next start to adopt. */
  close(): Promise<void>;
}

export async function startServe(engine: Engine, spec: ServeSpec, opts: ServeOptions = {}): Promise<ServeHandle> {
  const log = opts.log ?? debug('serve');
  const env = opts.env ?? process.env;
  const swarm = spec.backend === 'swarm';
  if (swarm) await requireSwarmManager(engine);
  const image = await engine.images.inspect(spec.image);
  // On a swarm the nodes pull or hold the image; the manager need not (then jupyter.command or jupyter-lab).
  if (!image && !swarm) {
    throw new UserError(`image ${spec.image} is not on the engine`, {
      hint: 'build it (`transferctl build`) or load it, then start serve again; serve never pulls on a visitor\'s click',
    });
  }
  const fromEnv = env[spec.adminTokenEnv];
  const adminToken = opts.adminToken ?? (fromEnv || randomBytes(24).toString('hex'));
  if (spec.hostFirewall && !swarm) await requireFirewall(engine, spec.name);
  if (spec.hostFirewall && swarm) await fenceSwarm(engine, spec, env, log);
  const disk = swarm || !image ? undefined : await prepareDisk(engine, spec, image);
  const network = swarm ? { id: '', created: false } : await ensureNetwork(engine, spec);
  if (spec.hostFirewall && !swarm) await fenceNetwork(engine, spec.name, networkName(spec.name));

  const store = opts.store ?? new MemoryStore();
  const metrics = serviceMetrics();
  const command = visitorCommand(spec, image);
  if (swarm && !image) {
    log(
      `${spec.image} is not on this manager, so its CMD and a repo2docker start script are unknown here: visitors run \`${command.join(' ')}\`` +
        (spec.jupyter.command ? '' : ' (set jupyter.command, or `docker pull` the image here once, to use its own)'),
    );
  }
  const swarmSpawner = swarm ? createSwarmSpawner(engine, spec, command, () => store.list()) : undefined;
  const remakeNetwork = async () => {
    await ensureNetwork(engine, spec);
    if (spec.hostFirewall) await fenceNetwork(engine, spec.name, networkName(spec.name));
  };
  const spawner = swarmSpawner ?? guardNetwork(createSpawner(engine, spec, { command, disk }), engine, networkName(spec.name), remakeNetwork, log);
  const adopted = swarm ? await adoptSwarm(engine, spec, store, spawner) : await adopt(engine, spec, store);
  for (const r of adopted.removed) log(`removed ${r.name}: ${r.why}`);

  let landing = spec.jupyter.path;
  const pool = new Pool({
    engine,
    spec,
    store,
    spawner,
    metrics,
    log,
    onReady: async (s) => {
      landing ??= await landingPath(s);
      // The visitor's first page renders in ~2 ms instead of ~30 ms (notebook 6 compiles its
      // templates on the first), which counts when ten are handed out at once (issue #14).
      await primePage(s, landing);
    },
  });
  const culler = startCuller({ engine, spec, store, pool, log, check: spawner.check });
  // Tickets whose page stopped asking lose their place within seconds; forget what ended.
  const sweeper = setInterval(() => {
    if (pool.queue.expire()) pool.fill();
    core.holdings.sweep();
  }, 2000);
  sweeper.unref();
  const core: ServiceCore = {
    spec,
    store,
    pool,
    holdings: new Holdings({
      routeLive: (r) => store.get(r)?.state === 'assigned',
      ticketLive: (t) => pool.queue.peek(t) !== undefined,
    }),
    metrics,
    adminToken,
    startedAt: Date.now(),
    landing: () => landing ?? 'tree',
    cullNow: (routes) => culler.runNow(routes),
    engineOk: () => engine.ping().then(() => true, () => false),
    nodes: swarmSpawner?.nodes,
  };
  const first = store.list()[0];
  if (!landing && first) landing = await landingPath(first);
  metrics.registry.gauge('transferctl_serve_containers_warm', 'Warm containers waiting for visitors', () => pool.counts().warm);
  metrics.registry.gauge('transferctl_serve_containers_assigned', 'Containers handed to visitors', () => pool.counts().assigned);
  metrics.registry.gauge('transferctl_serve_containers_starting', 'Containers being started', () => pool.counts().starting);
  metrics.registry.gauge('transferctl_serve_waiting_visitors', 'Visitors in the waiting line', () => pool.counts().waiting);
  metrics.registry.gauge('transferctl_serve_capacity', 'Hard limit of containers', () => spec.pool.capacity);
  metrics.registry.gauge('transferctl_serve_pool_size', 'Warm pool target', () => spec.pool.size);
  if (swarm) metrics.registry.labelledGauge('transferctl_serve_node_containers', 'Notebooks per swarm node, by state', () => nodeGauge(store.list()));

  const proxy = createProxy({
    store,
    metrics,
    ended: (r) => pool.ended.get(r),
    options: {
      ...DEFAULT_PROXY_OPTIONS,
      trustedProxies: spec.listen.trustedProxies,
      visitorsHost: spec.visitorsHost,
      limits: { ...DEFAULT_PROXY_OPTIONS.limits, maxConnections: spec.listen.maxConnections, perAddress: spec.listen.perAddress },
    },
  });
  const app = buildServer(core, proxy);
  const admin = buildAdminServer(core);
  const listening: { close(): Promise<unknown> }[] = [];
  const listen = async (server: typeof app, address: string, port: number, field: string) => {
    try {
      await server.listen({ host: address, port });
      listening.push(server);
    } catch (err) {
      clearInterval(sweeper);
      culler.stop();
      await pool.close();
      proxy.close();
      for (const s of listening) await s.close();
      // Nothing half-done: a network made just now, with nothing on it, goes again.
      if (network.created && store.list().length === 0) {
        await engine.networks.remove(network.id).catch(() => {});
        if (spec.hostFirewall) await removeFirewall(spec.name).catch(() => {});
      }
      // And the home seed of limits.disk, unless a visitor's container still uses it (the engine refuses then).
      if (disk && store.list().length === 0) await engine.volumes.remove(disk.seed);
      if (swarm && spec.hostFirewall && store.list().length === 0) await unfenceSwarm(engine, spec, env).catch(() => {});
      const code = (err as NodeJS.ErrnoException).code;
      throw new UserError(`cannot listen on ${address}:${port}${code ? ` (${code})` : ''}`, {
        hint: code === 'EADDRINUSE' ? `another program uses that port: set ${field} in the serve config${field === 'listen.port' ? ', or pass --port' : ''}` : undefined,
        cause: err,
      });
    }
  };
  await listen(app, spec.listen.address, spec.listen.port, 'listen.port');
  await listen(admin, spec.adminListen.address, adminPort(spec), 'admin.listen.port');
  pool.fill();
  const port = (app.server.address() as AddressInfo).port;
  let release: () => void;
  try {
    release = claimService(spec.name, httpUrl(spec.listen.address, port));
  } catch (err) {
    clearInterval(sweeper);
    culler.stop();
    await pool.close();
    proxy.close();
    for (const s of listening) await s.close();
    throw err;
  }
  const aPort = (admin.server.address() as AddressInfo).port;
  return {
    url: httpUrl(spec.listen.address, port),
    port,
    adminUrl: httpUrl(spec.adminListen.address, aPort),
    adminPort: aPort,
    adminToken,
    adminTokenGenerated: !opts.adminToken && !fromEnv,
    adopted,
    core,
    async close() {
      clearInterval(sweeper);
      culler.stop();
      await pool.close();
      proxy.close();
      await app.close();
      await admin.close();
      release();
    },
  };
}

function httpUrl(address: string, port: number): string {
  const host = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Remove every container and the network of a service (`transferctl serve --down`). */
export async function serveDown(engine: Engine, spec: ServeSpec, opts: { force?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<{ removed: string[]; missed?: string[] }> {
  await stopBeforeDown(spec.name, opts.force ?? false);
  if (spec.backend === 'swarm') {
    const { removed } = await swarmDown(engine, spec);
    if (!spec.hostFirewall) return { removed };
    const fw = await unfenceSwarm(engine, spec, opts.env ?? process.env);
    if (fw.removed) removed.push(`${fw.removed} firewall rule(s)`);
    return fw.missed.length ? { removed, missed: fw.missed.map((n) => `firewall rules on ${n}`) } : { removed };
  }
  const removed: string[] = [];
  for (const c of await engine.containers.list({ labels: { [SL.service]: spec.name }, all: true })) {
    await engine.containers.remove(c.id, { force: true, volumes: true });
    removed.push(c.name);
  }
  for (const v of await engine.volumes.list({ labels: [`${SL.service}=${spec.name}`] })) {
    if (await engine.volumes.remove(v.name)) removed.push(v.name);
  }
  const net = await engine.networks.inspect(networkName(spec.name));
  if (net && net.labels[SL.service] === spec.name) {
    await engine.networks.remove(net.id);
    removed.push(net.name);
  }
  const rules = await removeFirewall(spec.name);
  if (rules) removed.push(`${rules} firewall rule(s)`);
  return { removed };
}
