// The burst measurement of issue #14: N visitors click at once on a service with a warm pool.
// Each visitor: POST /spawn (Accept: application/json); if in line, GET /api/wait/<ticket>
// every 50 ms; then GET the notebook URL with a cookie jar (redirects followed), then
// GET <notebook>/api/status with the jar every 50 ms until a 200 JSON answer. Then: how long
// until the pool is back to its size, clocked from the last waiting visitor's answer, and the
// CPU floor of that refill (one Jupyter start's CPU seconds × containers started / cores).
import { CookieJar } from 'tough-cookie';
import type { Engine } from '../src/engine/index.js';
import { health, metric, sessions, sleep, startService, stopService, waitWarm, type Service } from './_serve-service.js';

export interface BurstVisit {
  waited: boolean;
  /** ms from the click: POST /spawn answered, notebook URL known, page read, api/status 200. */
  answerMs: number;
  urlMs: number;
  pageMs: number;
  readyMs: number;
  /** performance.now() at the api/status 200. */
  readyAt: number;
}

export interface BurstResult {
  visits: BurstVisit[];
  /** Last waiting visitor's answer → the pool back at its size (null: no one waited). */
  refillMs: number | null;
  /** First click → the pool back at its size. */
  burstToFullMs: number;
  /** Containers the service started from the first click until the pool was full again. */
  started: number;
  /** CPU seconds each warm container had used when the pool was full and quiet. */
  cpuPerStart: number[];
}

export interface BurstSetup {
  name: string;
  image: string;
  visitors: number;
  pool: number;
  capacity: number;
  /** Extra serve.json pool fields (policy knobs under test). */
  poolExtra?: Record<string, unknown>;
}

/** A browser's request: its cookie jar, redirects followed. */
async function get(url: string, jar: CookieJar, init: { method?: string; accept?: string } = {}): Promise<Response> {
  for (let hops = 0; hops < 10; hops++) {
    const cookie = await jar.getCookieString(url);
    const headers: Record<string, string> = init.accept ? { accept: init.accept } : {};
    if (cookie) headers.cookie = cookie;
    const res = await fetch(url, { method: hops === 0 ? init.method : 'GET', redirect: 'manual', headers, signal: AbortSignal.timeout(120_000) });
    for (const c of res.headers.getSetCookie()) await jar.setCookie(c, url, { ignoreError: true });
    const next = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !next) return res;
    await res.arrayBuffer();
    url = new URL(next, url).href;
  }
  throw new Error(`too many redirects at ${url}`);
}

async function visit(base: string): Promise<BurstVisit> {
  const t0 = performance.now();
  const jar = new CookieJar();
  const res = await get(`${base}/spawn`, jar, { method: 'POST', accept: 'application/json' });
  const body = (await res.json()) as { url?: string; ticket?: string };
  const answerMs = performance.now() - t0;
  let url = body.url;
  const waited = !url;
  if (!url && !body.ticket) throw new Error(`POST /spawn answered ${res.status} ${JSON.stringify(body)}`);
  while (!url) {
    await sleep(50);
    const w = (await (await get(`${base}/api/wait/${body.ticket}`, jar)).json()) as { url?: string; gone?: boolean };
    if (w.gone) throw new Error('the waiting line forgot a visitor');
    url = w.url;
  }
  const urlMs = performance.now() - t0;
  const page = await get(`${base}${url}`, jar);
  await page.arrayBuffer();
  const pageMs = performance.now() - t0;
  const notebook = `${base}${/^\/user\/[0-9a-f]{32}/.exec(url)![0]}`;
  for (;;) {
    const st = await get(`${notebook}/api/status`, jar);
    const text = await st.text();
    if (st.status === 200 && (st.headers.get('content-type') ?? '').includes('json')) {
      JSON.parse(text);
      break;
    }
    if (performance.now() - t0 > 300_000) throw new Error(`api/status still ${st.status} after 5 min`);
    await sleep(50);
  }
  const readyAt = performance.now();
  return { waited, answerMs, urlMs, pageMs, readyMs: readyAt - t0, readyAt };
}

async function cpuOfWarm(engine: Engine, svc: Service): Promise<number[]> {
  const warm = (await sessions(svc)).filter((x) => x.state === 'warm');
  return Promise.all(warm.map(async (x) => (await engine.containers.stats(x.containerId)).cpuSeconds));
}

/** Wait until the pool is full again; performance.now() of the first poll that saw it. */
async function waitFull(svc: Service, size: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if ((await health(svc)).warm >= size) return performance.now();
    if (Date.now() - t0 > 600_000) throw new Error('the pool did not refill in 10 min');
    await sleep(50);
  }
}

export async function burst(engine: Engine, b: BurstSetup, limits: object): Promise<BurstResult> {
  const svc = await startService({
    name: b.name,
    image: b.image,
    listen: { port: 0 },
    pool: { size: b.pool, capacity: b.capacity, ...b.poolExtra },
    limits,
  });
  try {
    if (b.pool > 0) await waitWarm(svc, b.pool);
    await sleep(3000);
    const cpuPerStart = b.pool > 0 ? await cpuOfWarm(engine, svc) : [];
    const spawns0 = await metric(svc, 'transferctl_serve_spawns_total');
    const t0 = performance.now();
    const visits = await Promise.all(Array.from({ length: b.visitors }, () => visit(svc.url)));
    const full = b.pool > 0 ? await waitFull(svc, b.pool) : performance.now();
    const started = (await metric(svc, 'transferctl_serve_spawns_total')) - spawns0;
    const waiters = visits.filter((v) => v.waited);
    const lastWaiter = waiters.length ? Math.max(...waiters.map((v) => v.readyAt)) : null;
    return { visits, refillMs: lastWaiter === null ? null : Math.max(0, full - lastWaiter), burstToFullMs: full - t0, started, cpuPerStart };
  } finally {
    await stopService(svc);
  }
}
