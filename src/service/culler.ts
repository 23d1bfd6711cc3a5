// The culler: removes idle visitors (no proxied traffic AND no busy kernel AND no activity
// the server saw), visitors past the maximum age, and containers that died.
import type { Engine } from '../engine/index.js';
import type { ServeSpec } from './config.js';
import { cullVerdict } from './cull-verdict.js';
import { activity } from './jupyter-api.js';
import { SL } from './labels.js';
import type { Pool } from './pool.js';
import type { Session } from './session.js';
import type { SessionStatus } from './spawner.js';
import type { RouteStore } from './store.js';

export interface CullResult {
  culled: { route: string; reason: string }[];
  kept: number;
}

export interface CullerDeps {
  engine: Engine;
  spec: ServeSpec;
  store: RouteStore;
  pool: Pool;
  log: (m: string) => void;
  /** The backend's own view of what runs (swarm); default: this engine's running containers. */
  check?: (sessions: Session[]) => Promise<Map<string, SessionStatus>>;
}

/** One pass. `force` culls the given routes (admin "cull now"). */
export async function cullPass(d: CullerDeps, opts: { now?: number; routes?: string[] } = {}): Promise<CullResult> {
  const now = opts.now ?? Date.now();
  const culled: CullResult['culled'] = [];
  let kept = 0;
  if (opts.routes) {
    for (const r of opts.routes) if (await d.pool.end(r, 'admin')) culled.push({ route: r, reason: 'admin' });
    return { culled, kept };
  }
  const status = d.check
    ? await d.check(d.store.list())
    : new Map(
        (await d.engine.containers.list({ labels: { [SL.service]: d.spec.name }, all: true })).filter((c) => c.state === 'running').map((c) => [c.id, 'running' as const]),
      );
  for (const s of d.store.list()) {
    if (s.state === 'starting') continue;
    const st = status.get(s.containerId) ?? 'exited';
    if (st !== 'running') {
      await d.pool.end(s.route, st);
      culled.push({ route: s.route, reason: st });
      continue;
    }
    const base = { now, session: s, idleMs: d.spec.cull.idleMs, maxAgeMs: d.spec.cull.maxAgeMs };
    let v = cullVerdict(base);
    if (v === 'probe') {
      const jupyter = await activity(s);
      v = cullVerdict({ ...base, jupyter });
      d.log(`cull ${s.route.slice(0, 8)}: ${v} (proxy idle ${now - s.lastActivity} ms, server ${jupyter ? `busy=${jupyter.busy} idle ${jupyter.lastActivity ? now - jupyter.lastActivity : '?'} ms` : 'no answer'})`);
    }
    if (v === 'keep' || v === 'probe') {
      kept++;
      continue;
    }
    await d.pool.end(s.route, v);
    culled.push({ route: s.route, reason: v });
  }
  return { culled, kept };
}

export function startCuller(d: CullerDeps): { stop(): void; runNow(routes?: string[]): Promise<CullResult> } {
  let running: Promise<CullResult> | undefined;
  const run = (routes?: string[]) => {
    const p = (running ?? Promise.resolve()).then(() => cullPass(d, { routes }));
    running = p.catch(() => ({ culled: [], kept: 0 }));
    return p;
  };
  const timer = setInterval(() => {
    d.pool.queue.expire();
    run().catch((err) => d.log(`culler: ${(err as Error).message}`));
  }, d.spec.cull.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), runNow: run };
}
