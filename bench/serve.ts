// npm run bench -- serve [--image REF] [--visitors N] [--pool N] [--requests N] [--no-baseline]
// Time-to-notebook for visitors arriving at once (ours: a warm pool; baseline: a container
// started on the click, as without a pool), direct vs proxied latency, memory per idle notebook.
// The service runs as its own process (`transferctl serve`, as deployed); visitors are this one.
// Latency is measured twice, the same way: right after the crowd (the figure the target is
// about), and first of all on a separate one-notebook service with the machine quiet (its own
// process, so that it warms nothing up for the other).
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createEngine, type Engine } from '../src/engine/index.js';
import { runCode, startKernel } from '../test/helpers/jupyter.js';
import { fmtMs, fmtRatio, median, percentile, report, sh } from './_lib.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/transferctl.js');
const ADMIN = randomBytes(12).toString('hex');

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
}

interface Service {
  url: string;
  /** The admin page's URL (its own listener). */
  admin: string;
  child: ChildProcess;
  config: string;
}

async function startService(config: object): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), 'tcs-bench-'));
  const file = join(dir, 'serve.json');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, [BIN, 'serve', '-c', file, '--json'], {
    env: { ...process.env, TRANSFERCTL_SERVE_ADMIN_TOKEN: ADMIN },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const { url, admin } = await new Promise<{ url: string; admin: string }>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      try {
        resolve(JSON.parse(out) as { url: string; admin: string });
      } catch {
        /* more to come */
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
  return { url, admin, child, config: file };
}

async function stopService(s: Service): Promise<void> {
  await new Promise((r) => {
    s.child.once('exit', r);
    s.child.kill('SIGTERM');
  });
  await sh(process.execPath, [BIN, 'serve', '-c', s.config, '--down']);
  rmSync(dirname(s.config), { recursive: true, force: true });
}

async function health(s: Service): Promise<{ warm: number; assigned: number }> {
  return ((await (await fetch(`${s.url}/health`)).json()) as { pool: { warm: number; assigned: number } }).pool;
}

async function sessions(s: Service): Promise<{ route: string; state: string; containerId: string; url?: string }[]> {
  const res = await fetch(`${s.admin}/api/sessions`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return ((await res.json()) as { sessions: { route: string; state: string; containerId: string; url?: string }[] }).sessions;
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

/** The same request, interleaved: straight to the container's port, and through the proxy. */
async function latency(engine: Engine, svc: Service, n: number): Promise<{ direct: number[]; proxied: number[] }> {
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
  for (let i = 0; i < 50; i++) {
    await get(port);
    await get(proxyPort);
  }
  const direct: number[] = [];
  const proxied: number[] = [];
  for (let i = 0; i < n; i++) {
    direct.push(await get(port));
    proxied.push(await get(proxyPort));
  }
  agent.destroy();
  return { direct, proxied };
}

async function waitWarm(svc: Service, n: number): Promise<number> {
  const t0 = Date.now();
  while ((await health(svc)).warm < n) {
    if (Date.now() - t0 > 900_000) throw new Error('the pool did not fill in 15 min');
    await new Promise((r) => setTimeout(r, 250));
  }
  return Date.now() - t0;
}

export default async function bench(args: string[]): Promise<void> {
  const engine = createEngine();
  await engine.ping();
  await sh('npm', ['run', '--silent', 'build'], { cwd: ROOT }).catch(() => console.log('(npm run build reported errors; using dist/ as it is)'));
  const wantedImage = arg(args, '--image', 'transferctl/jupyter:trixie');
  const image = (await engine.images.inspect(wantedImage)) ? wantedImage : 'transferctl/jupyter:bookworm';
  const visitors = Number(arg(args, '--visitors', '20'));
  const poolSize = Number(arg(args, '--pool', '10'));
  const requests = Number(arg(args, '--requests', '500'));
  const info = await engine.info();
  console.log(`serve benchmark: ${visitors} visitors at once, warm pool ${poolSize}, image ${image}; engine ${info.serverVersion}, ${info.ncpu} CPUs`);
  const config = (size: number) => ({
    name: `tcsb-${randomBytes(3).toString('hex')}`,
    image,
    listen: { port: 0 },
    pool: { size, capacity: visitors },
    limits: { memory: '1g', cpus: 1, pids: 256 },
  });

  // Latency with the machine quiet: a service of its own, one visitor, then gone.
  const quietSvc = await startService({ ...config(1), pool: { size: 1, capacity: 1 } });
  let quiet: { direct: number[]; proxied: number[] };
  try {
    await waitWarm(quietSvc, 1);
    await visit(quietSvc);
    quiet = await latency(engine, quietSvc, requests);
  } finally {
    await stopService(quietSvc);
  }

  // Ours: a warm pool.
  const ours = await startService(config(poolSize));
  let oursTimes: number[];
  let idleMem: number[];
  let lat: { direct: number[]; proxied: number[] };
  try {
    const fillMs = await waitWarm(ours, poolSize);
    console.log(`warm pool: ${poolSize} containers ready after ${(fillMs / 1000).toFixed(1)} s`);
    await new Promise((r) => setTimeout(r, 3000));
    const warm = (await sessions(ours)).filter((x) => x.state === 'warm');
    idleMem = await Promise.all(warm.map(async (x) => (await engine.containers.stats(x.containerId)).memoryBytes));
    oursTimes = await crowd(ours, visitors, 'warm pool');
    lat = await latency(engine, ours, requests);
  } finally {
    await stopService(ours);
  }

  // Baseline: no pool, a container is started when the visitor clicks.
  let baseTimes: number[] = [];
  if (!args.includes('--no-baseline')) {
    const base = await startService(config(0));
    try {
      baseTimes = await crowd(base, visitors, 'no pool (baseline)');
    } finally {
      await stopService(base);
    }
  }

  const mib = (b: number) => `${(b / 1024 ** 2).toFixed(1)} MiB`;
  const rows: [string, string][] = [
    [`time-to-notebook p50, warm pool ${poolSize} (ours)`, fmtMs(median(oursTimes))],
    [`time-to-notebook p99, warm pool ${poolSize} (ours)`, fmtMs(percentile(oursTimes, 99))],
    ['time-to-notebook fastest / slowest (ours)', `${fmtMs(Math.min(...oursTimes))} / ${fmtMs(Math.max(...oursTimes))}`],
  ];
  if (baseTimes.length) {
    rows.push(
      ['time-to-notebook p50, no pool (baseline)', fmtMs(median(baseTimes))],
      ['time-to-notebook p99, no pool (baseline)', fmtMs(percentile(baseTimes, 99))],
      ['p50 ratio ours / baseline', fmtRatio(median(oursTimes) / median(baseTimes))],
      ['p99 ratio ours / baseline', fmtRatio(percentile(oursTimes, 99) / percentile(baseTimes, 99))],
    );
  }
  rows.push(
    [`GET api/status direct, p50 (n=${lat.direct.length})`, `${median(lat.direct).toFixed(2)} ms`],
    ['GET api/status through the proxy, p50', `${median(lat.proxied).toFixed(2)} ms`],
    ['GET api/status direct / proxied, p99', `${percentile(lat.direct, 99).toFixed(2)} ms / ${percentile(lat.proxied, 99).toFixed(2)} ms`],
    ['latency ratio proxied / direct (p50)', fmtRatio(median(lat.proxied) / median(lat.direct), '≤ 1.2')],
    [`quiet machine (own 1-notebook service, before the crowd): direct / proxied p50`, `${median(quiet.direct).toFixed(2)} ms / ${median(quiet.proxied).toFixed(2)} ms`],
    ['quiet machine: latency ratio proxied / direct (p50)', fmtRatio(median(quiet.proxied) / median(quiet.direct))],
    [`memory per idle notebook container (n=${idleMem.length}), mean`, mib(idleMem.reduce((a, b) => a + b, 0) / Math.max(1, idleMem.length))],
    ['memory per idle notebook container, min / max', `${mib(Math.min(...idleMem))} / ${mib(Math.max(...idleMem))}`],
  );
  report(`serve (${image})`, rows);
}
