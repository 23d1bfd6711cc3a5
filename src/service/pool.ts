// The pool: warm containers waiting for visitors, handed out at once and refilled in the
// background; a hard capacity; a waiting line served as soon as a container is ready.
import type { Engine } from '../engine/index.js';
import type { ServeSpec } from './config.js';
import { assignedName } from './labels.js';
import type { ServiceMetrics } from './metrics.js';
import { startsNow } from './refill-policy.js';
import { WaitQueue } from './queue.js';
import type { Session } from './session.js';
import type { Spawner } from './spawner.js';
import type { RouteStore } from './store.js';

export interface PoolDeps {
  engine: Engine;
  spec: ServeSpec;
  store: RouteStore;
  spawner: Spawner;
  metrics: ServiceMetrics;
  log: (m: string) => void;
  /** Called with the first container that becomes ready (to learn the landing path). */
  onReady?: (s: Session) => Promise<void>;
}

export interface PoolCounts {
  warm: number;
  assigned: number;
  starting: number;
  waiting: number;
  size: number;
  capacity: number;
  draining: boolean;
}

export type EndReason = 'idle' | 'max-age' | 'admin' | 'exited' | 'drain' | 'lost';

export class Pool {
  readonly queue = new WaitQueue();
  /** Routes that ended, and why (so a returning visitor gets a clear page). */
  readonly ended = new Map<string, { reason: EndReason; at: number }>();
  lastError?: string;
  /** Starts that failed in a row (0 after one succeeds): /health reads it. */
  failuresInARow = 0;
  private starting = 0;
  /** Warm notebooks being handed to visitors in line right now (serveQueue). */
  private handingToLine = 0;
  /** Hand-outs whose container rename is under way (refills wait for them: see fill). */
  private assigning = 0;
  private draining = false;
  private closed = false;
  private retryTimer?: NodeJS.Timeout;
  private readonly aborter = new AbortController();
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly d: PoolDeps) {}

  counts(): PoolCounts {
    const all = this.d.store.list();
    return {
      warm: all.filter((s) => s.state === 'warm').length,
      assigned: all.filter((s) => s.state === 'assigned').length,
      starting: this.starting,
      waiting: this.queue.length,
      size: this.d.spec.pool.size,
      capacity: this.d.spec.pool.capacity,
      draining: this.draining,
    };
  }

  /** Start as many containers as the pool and the waiting line want, within capacity. */
  fill(): void {
    if (this.draining || this.closed || this.retryTimer) return;
    // A burst's renames first: a create or start beside them holds the engine's locks and
    // makes every visitor's POST /spawn wait (the last assign calls fill again).
    if (this.assigning > 0) return;
    const n = startsNow({ ...this.counts(), parallelStarts: this.d.spec.pool.parallelStarts });
    for (let i = 0; i < n; i++) {
      const p = this.spawnOne().finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
  }

  private async spawnOne(): Promise<void> {
    this.starting++;
    const t0 = Date.now();
    let s: Session;
    try {
      s = await this.d.spawner.spawn(this.aborter.signal);
    } catch (err) {
      this.starting--;
      if (this.closed) return;
      this.lastError = (err as Error).message;
      this.failuresInARow++;
      this.d.metrics.spawnFailures();
      this.d.log(`could not start a notebook container: ${this.lastError}`);
      // Back off before trying again, so a broken image does not spin.
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = undefined;
        this.fill();
      }, 5000);
      return;
    }
    this.lastError = undefined;
    this.failuresInARow = 0;
    this.d.metrics.spawns();
    this.d.metrics.spawnSeconds({}, (Date.now() - t0) / 1000);
    // onReady before it is warm (it learns the landing page from the first notebook): a visitor
    // handed this notebook the moment it is warm gets a URL that exists. Until then it counts
    // as starting.
    if (!this.closed && !this.draining && this.d.onReady) await this.d.onReady(s).catch(() => {});
    this.starting--;
    if (this.closed || this.draining) {
      await this.d.spawner.remove(s).catch(() => {});
      return;
    }
    s.state = 'warm';
    this.d.store.set(s);
    await this.serveQueue();
    this.fill();
  }

  /** A warm notebook for a visitor now, or undefined (then: join the line). */
  async take(): Promise<Session | undefined> {
    if (this.draining || this.queue.length > 0) return undefined;
    for (;;) {
      const s = this.d.store.list().find((x) => x.state === 'warm');
      if (!s) {
        this.fill();
        return undefined;
      }
      if (await this.assign(s)) {
        this.d.metrics.handouts({ how: 'warm' });
        this.fill();
        return s;
      }
    }
  }

  /** Mark a warm session as a visitor's (synchronously, so two visitors never share one). */
  private async assign(s: Session): Promise<boolean> {
    const now = Date.now();
    s.state = 'assigned';
    s.assignedAt = now;
    s.lastActivity = now;
    this.d.store.set(s);
    const name = assignedName(this.d.spec.name, s.route, now);
    this.assigning++;
    try {
      // The name is the durable record that it was handed out (labels cannot change).
      if (this.d.spawner.assign) await this.d.spawner.assign(s, now);
      else {
        await this.d.engine.containers.rename(s.containerId, name);
        s.containerName = name;
      }
      return true;
    } catch (err) {
      this.d.log(`container ${s.containerName} is gone (${(err as Error).message}); trying another`);
      this.d.store.delete(s.route);
      await this.d.spawner.remove(s).catch(() => {});
      return false;
    } finally {
      if (--this.assigning === 0) queueMicrotask(() => this.fill());
    }
  }

  /** Hand warm containers to the visitors in line, first come first served. */
  private async serveQueue(): Promise<void> {
    // A ticket whose page stopped asking loses its place before a container is given to it.
    this.queue.expire();
    // Hand-outs under way count against the line, so two notebooks that warm at once are not
    // both handed to its one visitor.
    while (this.queue.length > this.handingToLine) {
      const s = this.d.store.list().find((x) => x.state === 'warm');
      if (!s) return;
      this.handingToLine++;
      let ok: boolean;
      try {
        ok = await this.assign(s);
      } finally {
        this.handingToLine--;
      }
      if (!ok) continue;
      if (this.queue.next(s.route)) {
        this.d.metrics.handouts({ how: 'waited' });
        continue;
      }
      // The visitor left the line while it was being handed out: nobody would ever hold it.
      this.d.store.delete(s.route);
      await this.d.spawner.remove(s).catch(() => {});
      this.fill();
    }
  }

  /** Remove a visitor's notebook and remember why. */
  async end(route: string, reason: EndReason): Promise<boolean> {
    const s = this.d.store.get(route);
    if (!s) return false;
    this.d.store.delete(route);
    if (s.state === 'assigned') {
      this.ended.set(route, { reason, at: Date.now() });
      if (this.ended.size > 10_000) this.ended.delete(this.ended.keys().next().value!);
    }
    this.d.metrics.culled({ reason });
    this.d.log(`removed ${s.containerName} (${reason})`);
    await this.d.spawner.remove(s).catch(() => {});
    this.fill();
    return true;
  }

  async setDraining(on: boolean): Promise<void> {
    this.draining = on;
    if (on) {
      for (const s of this.d.store.list().filter((x) => x.state === 'warm')) await this.end(s.route, 'drain');
    } else this.fill();
  }

  async resize(size: number): Promise<void> {
    this.d.spec.pool.size = size;
    const warm = this.d.store.list().filter((x) => x.state === 'warm');
    for (const s of warm.slice(size)) await this.end(s.route, 'admin');
    this.fill();
  }

  /** Wait until no container is being started (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.aborter.abort(new Error('service stopping'));
    await this.settle();
  }
}
