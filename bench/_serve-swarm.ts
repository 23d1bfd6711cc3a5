// npm run bench -- serve --backend swarm [--visitors N] [--requests N]
// On the two-node rig (scripts/swarm-rig.sh; run under the engine lock, as root), side by side
// in one run: the one-engine backend (the baseline) and "backend": "swarm": warm time-to-
// notebook p50/p99 for N visitors at once (click → the notebook's first api/status 200 through
// the proxy), the refill of the pool after them, and the proxy's added latency to a notebook
// (on the swarm: one on the other node). Both nodes share this machine's CPUs: the figures are
// overhead, not throughput.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { createEngine } from '../src/engine/index.js';
import { startSwarmRig } from '../test/helpers/swarm.js';
import { fmtMs, fmtRatio, median, percentile, report } from './_lib.js';
import { sessions, sleep, startService, stopService, waitWarm, type Service } from './_serve-service.js';

const IMAGE = 'transferctl/jupyter:bookworm';

async function click(svc: Service): Promise<number> {
  const t0 = performance.now();
  const res = (await (await fetch(`${svc.url}/spawn`, { method: 'POST', headers: { accept: 'application/json' } })).json()) as { url?: string };
  if (!res.url) throw new Error('no warm notebook: the pool was not full');
  const m = /^\/user\/([0-9a-f]{32})\/[^?]*\?token=([0-9a-f]+)$/.exec(res.url)!;
  for (;;) {
    const r = await fetch(`${svc.url}/user/${m[1]}/api/status?token=${m[2]}`);
    await r.arrayBuffer();
    if (r.status === 200) return performance.now() - t0;
    await sleep(50);
  }
}

/** Interleaved GETs of api/status: straight at the notebook's address, and through the proxy. */
async function latency(svc: Service, direct: { host: string; port: number }, route: string, token: string, n: number) {
  const path = `/user/${route}/api/status?token=${token}`;
  const proxy = { host: '127.0.0.1', port: Number(new URL(svc.url).port) };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (to: { host: string; port: number }) =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      http
        .get({ ...to, path, agent }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
        })
        .on('error', reject);
    });
  for (let i = 0; i < 30; i++) await get(direct), await get(proxy);
  const d: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < n; i++) d.push(await get(direct)), p.push(await get(proxy));
  agent.destroy();
  return { d, p };
}

interface Figures {
  fillMs: number;
  times: number[];
  refillMs: number;
  lat: { d: number[]; p: number[] };
}

async function measure(config: object, visitors: number, requests: number, pick: (svc: Service) => Promise<{ host: string; port: number; route: string; token: string }>): Promise<Figures> {
  const svc = await startService(config);
  try {
    const fillMs = await waitWarm(svc, visitors);
    await sleep(3000);
    const times = await Promise.all(Array.from({ length: visitors }, () => click(svc)));
    const t0 = Date.now();
    await waitWarm(svc, visitors);
    const refillMs = Date.now() - t0;
    const t = await pick(svc);
    const lat = await latency(svc, t, t.route, t.token, requests);
    return { fillMs, times, refillMs, lat };
  } finally {
    await stopService(svc);
  }
}

export default async function benchSwarm(args: string[]): Promise<void> {
  const arg = (name: string, fallback: string) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : fallback);
  const visitors = Number(arg('--visitors', '20'));
  const requests = Number(arg('--requests', '300'));
  const engine = createEngine();
  const rig = await startSwarmRig();
  if ('skip' in rig) throw new Error(`cannot make the two-node rig: ${rig.skip}`);
  try {
    const image = await rig.publish(IMAGE);
    // serve fences in the visitors on the worker over ssh (its "nodes" entry); the children inherit the key.
    process.env.TRANSFERCTL_SSH_OPTS = rig.sshOpts;
    const name = () => `tcsb-${randomBytes(3).toString('hex')}`;
    const base = { listen: { port: 0 }, pool: { size: visitors, capacity: visitors * 2 }, limits: { memory: '512m', cpus: 1, pids: 256 } };
    console.log(`serve --backend swarm benchmark: ${visitors} visitors at once on a warm pool of ${visitors}; two nodes on one machine`);

    const parse = (url?: string) => /^\/user\/([0-9a-f]{32})\/[^?]*\?token=([0-9a-f]+)$/.exec(url ?? '')!;
    const one = await measure({ ...base, name: name(), image: IMAGE }, visitors, requests, async (svc) => {
      const s = (await sessions(svc)).find((x) => x.state === 'assigned')!;
      const port = (await engine.containers.inspect(s.containerId))!.ports['8888/tcp'][0].hostPort;
      const m = parse(s.url);
      return { host: '127.0.0.1', port, route: m[1], token: m[2] };
    });
    console.log(`one engine: pool filled in ${(one.fillMs / 1000).toFixed(1)} s`);
    const sw = await measure({ ...base, name: name(), image, backend: 'swarm', nodes: { 'tc-rig=worker': `root@${rig.workerAddr}` } }, visitors, requests, async (svc) => {
      const all = (await sessions(svc)) as unknown as { state: string; node?: string; url?: string; container: string }[];
      const s = all.find((x) => x.state === 'assigned' && x.node === rig.workerNode) ?? all.find((x) => x.state === 'assigned')!;
      const task = (await engine.swarm.tasks({ service: s.container })).find((t) => t.state === 'running')!;
      const node = (await engine.swarm.nodes()).find((n) => n.id === task.nodeId)!;
      const m = parse(s.url);
      console.log(`latency measured to a notebook on the ${node.id === rig.workerNode ? 'worker (the other node)' : 'manager'}`);
      return { host: node.addr, port: task.ports[8888], route: m[1], token: m[2] };
    });
    console.log(`swarm: pool filled in ${(sw.fillMs / 1000).toFixed(1)} s`);
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    report(`serve: one engine (baseline) vs "backend": "swarm" (two nodes, one machine; ${IMAGE})`, [
      [`warm time-to-notebook p50, ${visitors} at once: one engine / swarm`, `${fmtMs(median(one.times))} / ${fmtMs(median(sw.times))}`],
      [`warm time-to-notebook p99: one engine / swarm`, `${fmtMs(percentile(one.times, 99))} / ${fmtMs(percentile(sw.times, 99))}`],
      ['ratio swarm / one engine, p50 / p99', `${fmtRatio(median(sw.times) / median(one.times))} / ${fmtRatio(percentile(sw.times, 99) / percentile(one.times, 99))}`],
      [`refill of ${visitors} after the crowd: one engine / swarm`, `${s(one.refillMs)} / ${s(sw.refillMs)}  (ratio ${fmtRatio(sw.refillMs / one.refillMs)})`],
      [`first fill of ${visitors}: one engine / swarm`, `${s(one.fillMs)} / ${s(sw.fillMs)}`],
      [`GET api/status direct / proxied p50, one engine (n=${requests})`, `${median(one.lat.d).toFixed(2)} ms / ${median(one.lat.p).toFixed(2)} ms`],
      [`GET api/status direct / proxied p50, swarm (other node)`, `${median(sw.lat.d).toFixed(2)} ms / ${median(sw.lat.p).toFixed(2)} ms`],
      ['proxy added latency p50: one engine / swarm', `${(median(one.lat.p) - median(one.lat.d)).toFixed(2)} ms / ${(median(sw.lat.p) - median(sw.lat.d)).toFixed(2)} ms`],
      ['latency ratio proxied / direct p50: one engine / swarm', `${fmtRatio(median(one.lat.p) / median(one.lat.d))} / ${fmtRatio(median(sw.lat.p) / median(sw.lat.d))}`],
    ]);
  } finally {
    await rig.down();
  }
}
