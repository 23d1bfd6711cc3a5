// npm run bench -- serve --backend swarm: see _serve-swarm.ts (one engine vs a two-node swarm).
// npm run bench -- serve [--only burst,kernel,latency] [--image REF] [--burst-image REF]
//   [--visitors N] [--pool N] [--capacity N] [--repeat N] [--parallel-starts N] [--requests N] [--no-baseline]
// burst (issue #14): N visitors click at once on a warm pool (bookworm notebook-6 image): warm
// hand-out and waiting-line times to the notebook's first api/status answer, the refill, its
// CPU floor, the same crowd with no pool; each beside tmpnb's figures on this machine kind.
// kernel: time-to-notebook until a kernel runs code, warm pool vs no pool (the baseline).
// latency: direct vs through serve vs through configurable-http-proxy (JupyterHub's proxy, run
// in the same measurement, interleaved), right after the crowd and on a quiet one-notebook service.
// The service runs as its own process (`transferctl serve`, as deployed); visitors are this one.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { createEngine, type Engine } from '../src/engine/index.js';
import { runCode, startKernel } from '../test/helpers/jupyter.js';
import { fmtMs, fmtRatio, median, percentile, report, sh } from './_lib.js';
import { burst, type BurstResult } from './_serve-burst.js';
import { startChp } from './_chp.js';
import { ROOT, sessions, sleep, startService, stopService, waitWarm, type Service } from './_serve-service.js';

/** tmpnb, measured the same way on this machine kind (issue #14): it refused 10 of the 20. */
const TMPNB = { warmP50: 243, warmP99: 351, refillMinS: 129, refillMaxS: 147 };

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
}

/** Click → (wait in line if needed) → the notebook page answers → a kernel runs code. */
async function visit(svc: Service): Promise<{ ms: number; waited: boolean }> {
  const t0 = performance.now();
  const res = (await (await fetch(`${svc.url}/spawn`, { method: 'POST', headers: { accept: 'application/json' } })).json()) as { url?: string; ticket?: string };
  let url = res.url;
  const waited = !url;
  while (!url) {
    await new Promise((r) => setTimeout(r, 250));
    url = ((await (await fetch(`${svc.url}/api/wait/${res.ticket}`)).json()) as { url?: string }).url;
  }
  const page = await fetch(`${svc.url}${url}`);
  await page.arrayBuffer();
  if (!page.ok) throw new Error(`notebook page ${page.status}`);
  const m = /^\/user\/([0-9a-f]{32})\/[^?]*\?token=([0-9a-f]+)$/.exec(url)!;
  const base = `${svc.url}/user/${m[1]}`;
  const kernel = await startKernel(base, m[2]);
  const out = await runCode(base, m[2], kernel, 'print("ready")', 300_000);
  if (out.stdout.trim() !== 'ready') throw new Error(`kernel said ${out.stdout}`);
  return { ms: performance.now() - t0, waited };
}

async function crowd(svc: Service, visitors: number, label: string): Promise<number[]> {
  const results = await Promise.all(Array.from({ length: visitors }, () => visit(svc)));
  console.log(`${label}: ${results.filter((r) => !r.waited).length} served from the warm pool, ${results.filter((r) => r.waited).length} waited for a new container`);
  return results.map((r) => r.ms);
}

interface Latency {
  direct: number[];
  proxied: number[];
  /** The same request through configurable-http-proxy in front of the same notebook. */
  chp: number[];
}

/** The same request, interleaved: straight to the container's port, through serve, through CHP. */
async function latency(engine: Engine, svc: Service, n: number): Promise<Latency> {
  const s = (await sessions(svc)).find((x) => x.state === 'assigned')!;
  const token = /token=([0-9a-f]+)/.exec(s.url!)![1];
  const info = await engine.containers.inspect(s.containerId);
  const port = info!.ports['8888/tcp'][0].hostPort;
  const path = `/user/${s.route}/api/status?token=${token}`;
  const proxyPort = Number(new URL(svc.url).port);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      http
        .get({ host: '127.0.0.1', port: p, path, agent }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
        })
        .on('error', reject);
    });
  const chpProxy = await startChp(port);
  try {
    for (let i = 0; i < 50; i++) {
      await get(port);
      await get(proxyPort);
      await get(chpProxy.port);
    }
    const out: Latency = { direct: [], proxied: [], chp: [] };
    for (let i = 0; i < n; i++) {
      out.direct.push(await get(port));
      out.proxied.push(await get(proxyPort));
      out.chp.push(await get(chpProxy.port));
    }
    return out;
  } finally {
    agent.destroy();
    await chpProxy.stop();
  }
}

/** Added latency (p50 through a proxy − p50 direct), ours beside configurable-http-proxy's. */
function addedRows(label: string, l: Latency): [string, string][] {
  const d = median(l.direct);
  return [
    [`${label}: direct / serve / configurable-http-proxy p50 (n=${l.direct.length}, kept-alive)`, `${d.toFixed(2)} ms / ${median(l.proxied).toFixed(2)} ms / ${median(l.chp).toFixed(2)} ms`],
    [`${label}: added latency p50, serve | configurable-http-proxy`, `${(median(l.proxied) - d).toFixed(3)} ms | ${(median(l.chp) - d).toFixed(3)} ms (budget for serve ≤ 0.3 ms)`],
  ];
}

const range = (xs: number[], f: (x: number) => string) => (xs.length === 0 ? '-' : xs.length === 1 ? f(xs[0]) : `${f(Math.min(...xs))}–${f(Math.max(...xs))}`);
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One run in a line: the warm and waiting visitors' p50/p99, the refill. */
function burstLine(r: BurstResult): string {
  const t = (w: boolean) => r.visits.filter((v) => v.waited === w).map((v) => v.readyMs);
  const pp = (xs: number[]) => (xs.length ? `${fmtMs(median(xs))} / ${fmtMs(percentile(xs, 99))}` : '-');
  return `warm p50/p99 ${pp(t(false))}; waited p50/p99 ${pp(t(true))}; refill ${r.refillMs === null ? '-' : sec(r.refillMs)}; started ${r.started}`;
}

/** Burst rows: each figure over the repeats (a range when repeated), beside tmpnb's. */
function burstRows(runs: BurstResult[], base: BurstResult | undefined, cores: number, pool: number): [string, string][] {
  const warm = runs.map((r) => r.visits.filter((v) => !v.waited));
  const waited = runs.map((r) => r.visits.filter((v) => v.waited));
  const ready = (vs: { readyMs: number }[]) => vs.map((v) => v.readyMs);
  const p = (vs: { readyMs: number }[][], q: number) => vs.filter((x) => x.length).map((x) => (q === 50 ? median(ready(x)) : percentile(ready(x), q)));
  const cpu = runs.flatMap((r) => r.cpuPerStart);
  const cpuMean = cpu.reduce((a, b) => a + b, 0) / Math.max(1, cpu.length);
  const floorMs = (cpuMean * pool * 1000) / cores;
  const refill = runs.map((r) => r.refillMs).filter((x): x is number => x !== null);
  const rows: [string, string][] = [
    [`runs`, `${runs.length}; served warm / waited: ${runs.map((r) => `${r.visits.filter((v) => !v.waited).length}/${r.visits.filter((v) => v.waited).length}`).join(', ')}`],
    [`warm hand-out p50 (ours | tmpnb)`, `${range(p(warm, 50), fmtMs)} | ${TMPNB.warmP50} ms  ratio ${range(p(warm, 50).map((x) => x / TMPNB.warmP50), (x) => x.toFixed(2))}  (target ≤ 150 ms)`],
    [`warm hand-out p99 (ours | tmpnb)`, `${range(p(warm, 99), fmtMs)} | ${TMPNB.warmP99} ms  ratio ${range(p(warm, 99).map((x) => x / TMPNB.warmP99), (x) => x.toFixed(2))}  (target ≤ 300 ms)`],
    [`  warm: POST /spawn answered / page read, p50`, `${range(warm.map((w) => median(w.map((v) => v.answerMs))), fmtMs)} / ${range(warm.map((w) => median(w.map((v) => v.pageMs))), fmtMs)}`],
    [`waited p50 (ours | tmpnb)`, `${range(p(waited, 50), sec)} | refused`],
    [`waited p99 (ours | tmpnb)`, `${range(p(waited, 99), sec)} | refused`],
    [`refill to ${pool} warm after the last waiter's answer (ours | tmpnb)`, `${range(refill, sec)} | ${TMPNB.refillMinS}–${TMPNB.refillMaxS} s  ratio ${range(refill.map((x) => x / 1000 / TMPNB.refillMaxS), (x) => x.toFixed(3))}`],
    [`CPU floor of the refill (${cpuMean.toFixed(2)} CPU s per start × ${pool} / ${cores} cores)`, `${sec(floorMs)}; target ≤ ${sec(Math.max(10_000, 1.2 * floorMs))}; refill / floor ${range(refill.map((x) => x / floorMs), (x) => x.toFixed(2))}`],
    [`CPU s per Jupyter start (n=${cpu.length}) min / max`, `${Math.min(...cpu).toFixed(2)} / ${Math.max(...cpu).toFixed(2)}`],
    [`first click → pool full again; containers started`, `${range(runs.map((r) => r.burstToFullMs), sec)}; ${range(runs.map((r) => r.started), String)} (CPU floor ${sec((cpuMean * (runs[0]?.started ?? 0) * 1000) / cores)})`],
  ];
  if (base) {
    const all = ready(base.visits);
    rows.push(
      [`no pool (baseline): every visitor p50 / p99`, `${sec(median(all))} / ${sec(percentile(all, 99))}`],
      [`ratio waited p50 ours / no-pool p50`, range(p(waited, 50).map((x) => x / median(all)), (x) => x.toFixed(2))],
    );
  }
  return rows;
}

export default async function bench(args: string[]): Promise<void> {
  if (arg(args, '--backend', 'engine') === 'swarm') return (await import('./_serve-swarm.js')).default(args);
  const engine = createEngine();
  await engine.ping();
  await sh('npm', ['run', '--silent', 'build'], { cwd: ROOT }).catch(() => console.log('(npm run build reported errors; using dist/ as it is)'));
  const only = new Set(arg(args, '--only', 'latency,kernel,burst').split(','));
  const wantedImage = arg(args, '--image', 'transferctl/jupyter:trixie');
  const image = (await engine.images.inspect(wantedImage)) ? wantedImage : 'transferctl/jupyter:bookworm';
  const burstImage = arg(args, '--burst-image', 'transferctl/jupyter:bookworm');
  const visitors = Number(arg(args, '--visitors', '20'));
  const poolSize = Number(arg(args, '--pool', '10'));
  const capacity = Number(arg(args, '--capacity', '30'));
  const repeat = Number(arg(args, '--repeat', '1'));
  const requests = Number(arg(args, '--requests', '500'));
  const baseline = !args.includes('--no-baseline');
  const poolExtra = args.includes('--parallel-starts') ? { 'parallel-starts': Number(arg(args, '--parallel-starts', '2')) } : {};
  const info = await engine.info();
  const limits = { memory: '1g', cpus: 1, pids: 256 };
  const name = () => `tcsb-${randomBytes(3).toString('hex')}`;
  console.log(`serve benchmark (${[...only].join(', ')}): ${visitors} visitors at once, warm pool ${poolSize}; engine ${info.serverVersion}, ${info.ncpu} CPUs`);

  if (only.has('burst')) {
    const runs: BurstResult[] = [];
    for (let i = 0; i < repeat; i++) {
      const r = await burst(engine, { name: name(), image: burstImage, visitors, pool: poolSize, capacity, poolExtra }, limits);
      runs.push(r);
      console.log(`burst ${i + 1}: ${burstLine(r)}`);
      await sleep(3000);
    }
    const base = baseline ? await burst(engine, { name: name(), image: burstImage, visitors, pool: 0, capacity, poolExtra }, limits) : undefined;
    if (base) console.log(`no pool: ${burstLine(base)}`);
    report(`serve burst: ${visitors} at once, pool ${poolSize}, capacity ${capacity} (${burstImage}); time to the first api/status 200`, burstRows(runs, base, info.ncpu, poolSize));
  }
  if (!only.has('kernel') && !only.has('latency')) return;

  const config = (size: number) => ({ name: name(), image, listen: { port: 0 }, pool: { size, capacity: visitors }, limits });
  const rows: [string, string][] = [];
  if (only.has('latency')) {
    // Latency with the machine quiet: a service of its own, one visitor, then gone.
    const quietSvc = await startService({ ...config(1), pool: { size: 1, capacity: 1 } });
    try {
      await waitWarm(quietSvc, 1);
      await visit(quietSvc);
      const quiet = await latency(engine, quietSvc, requests);
      rows.push(
        ...addedRows('quiet machine (own 1-notebook service)', quiet),
        ['quiet machine: latency ratio proxied / direct (p50)', fmtRatio(median(quiet.proxied) / median(quiet.direct))],
      );
    } finally {
      await stopService(quietSvc);
    }
  }
  if (only.has('kernel')) {
    // Ours: a warm pool; time until a kernel runs code.
    const ours = await startService(config(poolSize));
    let oursTimes: number[];
    try {
      const fillMs = await waitWarm(ours, poolSize);
      console.log(`warm pool: ${poolSize} containers ready after ${(fillMs / 1000).toFixed(1)} s`);
      await sleep(3000);
      const warm = (await sessions(ours)).filter((x) => x.state === 'warm');
      const idleMem = await Promise.all(warm.map(async (x) => (await engine.containers.stats(x.containerId)).memoryBytes));
      oursTimes = await crowd(ours, visitors, 'warm pool');
      const lat = await latency(engine, ours, requests);
      const mib = (b: number) => `${(b / 1024 ** 2).toFixed(1)} MiB`;
      rows.push(
        [`time-to-kernel p50, warm pool ${poolSize} (ours)`, fmtMs(median(oursTimes))],
        [`time-to-kernel p99, warm pool ${poolSize} (ours)`, fmtMs(percentile(oursTimes, 99))],
        ['time-to-kernel fastest / slowest (ours)', `${fmtMs(Math.min(...oursTimes))} / ${fmtMs(Math.max(...oursTimes))}`],
        ...addedRows('GET api/status after the crowd', lat),
        ['GET api/status after the crowd: direct / serve / configurable-http-proxy p99', `${percentile(lat.direct, 99).toFixed(2)} ms / ${percentile(lat.proxied, 99).toFixed(2)} ms / ${percentile(lat.chp, 99).toFixed(2)} ms`],
        ['latency ratio proxied / direct (p50)', fmtRatio(median(lat.proxied) / median(lat.direct), '≤ 1.2')],
        [`memory per idle notebook container (n=${idleMem.length}), mean`, mib(idleMem.reduce((a, b) => a + b, 0) / Math.max(1, idleMem.length))],
        ['memory per idle notebook container, min / max', `${mib(Math.min(...idleMem))} / ${mib(Math.max(...idleMem))}`],
      );
    } finally {
      await stopService(ours);
    }
    // Baseline: no pool, a container is started when the visitor clicks.
    if (baseline) {
      const base = await startService(config(0));
      try {
        const baseTimes = await crowd(base, visitors, 'no pool (baseline)');
        rows.push(
          ['time-to-kernel p50 / p99, no pool (baseline)', `${fmtMs(median(baseTimes))} / ${fmtMs(percentile(baseTimes, 99))}`],
          ['time-to-kernel ratio ours / baseline, p50 / p99', `${fmtRatio(median(oursTimes) / median(baseTimes))} / ${fmtRatio(percentile(oursTimes, 99) / percentile(baseTimes, 99))}`],
        );
      } finally {
        await stopService(base);
      }
    }
  }
  report(`serve (${image})`, rows);
}
