// The pool and the waiting line, with a fake spawner (the engine tests are in integration).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveServe } from '../../../src/service/config.js';
import { serviceMetrics } from '../../../src/service/metrics.js';
import { Pool } from '../../../src/service/pool.js';
import { WaitQueue } from '../../../src/service/queue.js';
import { MemoryStore } from '../../../src/service/store.js';
import type { Session } from '../../../src/service/session.js';
import type { Engine } from '../../../src/engine/index.js';

function fixture(size: number, capacity: number, rename: () => Promise<void> = async () => {}) {
  const spec = resolveServe({ image: 'x', pool: { size, capacity } }, null);
  const store = new MemoryStore();
  let n = 0;
  const removed: string[] = [];
  const pending: (() => void)[] = [];
  const spawner = {
    spawn: async (): Promise<Session> => {
      await new Promise<void>((r) => pending.push(r));
      const i = n++;
      return { route: `r${i}`, token: `t${i}`, containerId: `c${i}`, containerName: `n${i}`, target: { host: '127.0.0.1', port: 1 }, hostPort: 1, state: 'starting', createdAt: 0, lastActivity: 0 };
    },
    remove: async (s: Pick<Session, 'containerId'>) => void removed.push(s.containerId),
  };
  const engine = { containers: { rename } } as unknown as Engine;
  const metrics = serviceMetrics();
  const pool = new Pool({ engine, spec, store, spawner, metrics, log: () => {} });
  const release = async () => {
    // Let every start (and the starts they trigger) finish.
    for (let i = 0; i < 100; i++) {
      while (pending.length) pending.shift()!();
      await new Promise((r) => setImmediate(r));
      if (pending.length === 0 && pool.counts().starting === 0) break;
    }
    await pool.settle();
  };
  return { pool, store, removed, release, pending, metrics };
}

test('fills to the pool size, hands out, refills within capacity', async () => {
  const f = fixture(2, 3);
  f.pool.fill();
  assert.equal(f.pool.counts().starting, 2);
  await f.release();
  assert.deepEqual({ ...f.pool.counts() }, { warm: 2, assigned: 0, starting: 0, waiting: 0, size: 2, capacity: 3, draining: false });
  const s = await f.pool.take();
  assert.equal(s?.state, 'assigned');
  assert.ok(s?.containerName.includes('-u'));
  assert.equal(f.pool.counts().starting, 1, 'refill starts at once');
  await f.release();
  assert.equal(f.pool.counts().warm, 2);
  await f.pool.take();
  assert.equal(f.pool.counts().starting, 0, 'capacity 3 reached: no refill');
  assert.match(f.metrics.registry.render(), /transferctl_serve_handouts_total\{how="warm"\} 2/);
});

test('refills wait while hand-outs are being renamed (a burst is answered first), then start', async () => {
  const renames: (() => void)[] = [];
  const f = fixture(3, 6, () => new Promise<void>((r) => renames.push(r)));
  f.pool.fill();
  await f.release();
  const takes = [f.pool.take(), f.pool.take()];
  await new Promise((r) => setImmediate(r));
  assert.equal(renames.length, 2, 'both hand-outs are renaming');
  assert.equal(f.pool.counts().starting, 0, 'no refill beside them');
  renames.shift()!();
  await takes[0];
  assert.equal(f.pool.counts().starting, 0, 'still none: one rename is under way');
  renames.shift()!();
  await takes[1];
  await new Promise((r) => setImmediate(r));
  assert.equal(f.pool.counts().starting, 2, 'the refill starts once the renames are done');
  await f.release();
  assert.equal(f.pool.counts().warm, 3);
});

test('two visitors at once never share a container', async () => {
  const f = fixture(1, 5);
  f.pool.fill();
  await f.release();
  const [a, b] = await Promise.all([f.pool.take(), f.pool.take()]);
  assert.ok(a);
  assert.equal(b, undefined);
});

test('a full service queues visitors and serves them in order when a slot frees', async () => {
  const f = fixture(1, 1);
  f.pool.fill();
  await f.release();
  const first = await f.pool.take();
  assert.ok(first);
  const t1 = f.pool.queue.add();
  const t2 = f.pool.queue.add();
  f.pool.fill();
  assert.equal(f.pool.counts().starting, 0, 'no room');
  assert.equal(f.pool.queue.look(t2.id)?.position, 2);
  await f.pool.end(first.route, 'idle');
  assert.deepEqual(f.removed, [first.containerId]);
  assert.equal(f.pool.ended.get(first.route)?.reason, 'idle');
  await f.release();
  assert.ok(f.pool.queue.look(t1.id)?.route, 'first in line got the free slot');
  assert.equal(f.pool.queue.look(t2.id)?.position, 1);
});

test('draining removes warm containers and stops handing out', async () => {
  const f = fixture(2, 4);
  f.pool.fill();
  await f.release();
  await f.pool.setDraining(true);
  assert.equal(f.pool.counts().warm, 0);
  assert.equal(await f.pool.take(), undefined);
  await f.pool.setDraining(false);
  assert.equal(f.pool.counts().starting, 2);
  await f.release();
  await f.pool.resize(1);
  assert.equal(f.pool.counts().warm, 1);
});

test('the waiting line drops visitors who left', () => {
  const q = new WaitQueue(1000);
  const a = q.add(0);
  const b = q.add(0);
  q.look(b.id, 900);
  assert.equal(q.expire(1500), 1);
  assert.equal(q.look(a.id, 1500), undefined);
  assert.equal(q.look(b.id, 1500)?.position, 1);
});

test('the waiting line keeps places current (a poll reads, never scans); a served URL is handed out once', () => {
  const q = new WaitQueue(10_000);
  const [a, b, c] = [q.add(0), q.add(0), q.add(0)];
  assert.deepEqual([a.position, b.position, c.position], [1, 2, 3]);
  assert.equal(q.next('r1')?.id, a.id);
  assert.deepEqual([b.position, c.position], [1, 2]);
  assert.deepEqual(q.peek(a.id), { served: 'r1' });
  assert.deepEqual(q.look(a.id), { position: 0, route: 'r1' });
  assert.equal(q.look(a.id), undefined, 'handed out once');
  assert.equal(q.peek(a.id), undefined);
  q.look(c.id, 9000);
  assert.equal(q.expire(10_500), 1, 'b stopped asking');
  assert.equal(c.position, 1);
  assert.equal(q.length, 1);
});

test('a pool gives no container to a ticket whose page stopped asking', async () => {
  const f = fixture(0, 1);
  const gone = f.pool.queue.add(Date.now() - 60_000);
  const here = f.pool.queue.add();
  f.pool.fill();
  await f.release();
  assert.equal(f.pool.queue.peek(gone.id), undefined);
  assert.ok(f.pool.queue.look(here.id)?.route);
});

test('no more than pool.parallel-starts containers start at once; the rest follow', async () => {
  const f = fixture(5, 10);
  f.pool.fill();
  assert.equal(f.pool.counts().starting, 2);
  for (let i = 0; i < 10 && f.pool.counts().warm < 5; i++) {
    while (f.pending.length) f.pending.shift()!();
    await new Promise((r) => setImmediate(r));
    assert.ok(f.pool.counts().starting <= 2);
  }
  await f.release();
  assert.equal(f.pool.counts().warm, 5);
});

test('two notebooks warm at once with one visitor in line: one is handed out, the other stays warm', async () => {
  const f = fixture(2, 2, () => new Promise((r) => setTimeout(r, 20)));
  const ticket = f.pool.queue.add();
  f.pool.fill();
  assert.equal(f.pool.counts().starting, 2);
  await f.release();
  assert.ok(f.pool.queue.look(ticket.id)?.route, 'the visitor in line got one');
  assert.equal(f.pool.counts().assigned, 1, 'no notebook handed to nobody');
  assert.equal(f.pool.counts().warm, 1);
});

test('a visitor who leaves the line while their notebook is being handed out leaves no notebook held by nobody', async () => {
  let f: ReturnType<typeof fixture> | undefined;
  // The line's sweeper runs while the engine renames the container (the ticket expires then).
  f = fixture(1, 1, async () => void f!.pool.queue.expire(Date.now() + 60_000));
  const ticket = f.pool.queue.add();
  f.pool.fill();
  await f.release();
  assert.equal(f.pool.queue.peek(ticket.id), undefined);
  assert.equal(f.pool.counts().assigned, 0, 'no notebook handed to nobody');
  assert.deepEqual(f.removed, ['c0'], 'the notebook that was being handed out is removed');
  await f.release();
  assert.equal(f.pool.counts().warm, 1, 'and the pool refills');
});
