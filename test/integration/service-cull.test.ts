// The culler on the real engine: an idle visitor goes, a visitor whose kernel is busy stays
// (no traffic through the proxy all the while), and the maximum age applies to everyone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { runCode, serverSeesIdle, startKernel } from '../helpers/jupyter.js';
import { serviceContainers, spawn, splitUrl, startTestServe, testSpec, until, warmPool } from '../helpers/serve.js';

test('serve: culling keeps busy kernels, removes idle visitors, and enforces the maximum age', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const spec = testSpec(NOTEBOOK6_IMAGE, { pool: { size: 2, capacity: 2 }, cull: { idle: 2, 'max-age': 20, interval: 0.5 } });
  // The culler's own account of each decision, for the failure messages.
  const lines: string[] = [];
  const h = await startTestServe(t, engine, spec, (m) => lines.push(`${new Date().toISOString().slice(11, 23)} ${m}`));
  const why = () => `\nthe service's log:\n${lines.slice(-30).join('\n')}`;
  await warmPool(h);

  const busy = splitUrl(h, (await spawn(h)).url!);
  const idle = splitUrl(h, (await spawn(h)).url!);
  const handedAt = Date.now();
  const kBusy = await startKernel(busy.base, busy.token);
  const kIdle = await startKernel(idle.base, idle.token);
  // As a browser does: connect first; then the server's view of the kernels is reliable.
  await serverSeesIdle(busy.base, busy.token, kBusy);
  await serverSeesIdle(idle.base, idle.token, kIdle);
  assert.equal((await runCode(idle.base, idle.token, kIdle, 'print(1)')).stdout.trim(), '1');
  // A long computation; its WebSocket stays open but silent.
  const ws = await fire(busy.base, busy.token, kBusy, 'import time\ntime.sleep(60)');
  t.after(() => ws.terminate());
  await until('the server to see the kernel busy', async () => {
    const k = (await (await fetch(`${busy.base}/api/kernels/${kBusy}?token=${busy.token}`)).json()) as { execution_state?: string };
    return k.execution_state === 'busy';
  }, 10_000, 100);

  await until('the idle visitor to be culled', () => !h.core.store.get(idle.route), 20_000);
  const idleFor = Date.now() - handedAt;
  assert.ok(idleFor >= 2000, `culled after ${idleFor} ms, not before the idle time`);
  assert.equal(h.core.pool.ended.get(idle.route)?.reason, 'idle', why());
  assert.ok(h.core.store.get(busy.route), 'the busy visitor is kept');

  // Well past the idle time, the busy kernel still protects its visitor: if it has gone by
  // now (a slow machine can reach the maximum age meanwhile), it went for its age, not idleness.
  await new Promise((r) => setTimeout(r, 4000));
  if (!h.core.store.get(busy.route)) assert.equal(h.core.pool.ended.get(busy.route)?.reason, 'max-age', why());
  const idleName = (await serviceContainers(spec.name)).find((n) => n.includes(idle.route));
  assert.equal(idleName, undefined, 'the culled container is gone');

  const back = await fetch(`${idle.base}/tree?token=${idle.token}`);
  assert.equal(back.status, 410);
  assert.match(await back.text(), /not used for a while/);

  // The maximum age ends even a busy visitor.
  if (h.core.store.get(busy.route)) await until('the busy visitor to reach the maximum age', () => !h.core.store.get(busy.route), 20_000);
  assert.equal(h.core.pool.ended.get(busy.route)?.reason, 'max-age', why());
  assert.ok(Date.now() - handedAt >= 20_000 - 3000, 'not before the maximum age');
});

/** Send code to a kernel over its WebSocket and leave it running (the socket stays open, silent). */
async function fire(base: string, token: string, kernel: string, code: string): Promise<WebSocket> {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/kernels/${kernel}/channels?token=${token}`);
  ws.on('error', () => {});
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const session = randomUUID();
  const message = (msg_type: string, content: object) => ({ header: { msg_id: randomUUID(), username: 'test', session, msg_type, version: '5.3', date: new Date().toISOString() }, parent_header: {}, metadata: {}, channel: 'shell', content });
  // A new connection makes the server "nudge" the kernel with kernel_info requests; one answered
  // on the control channel while the code runs would show the kernel idle to the server (its
  // execution_state follows every status message). Let them pass first, as a browser does by
  // connecting well before anyone runs a cell: our own kernel_info reply comes after theirs.
  const info = message('kernel_info_request', {});
  ws.send(JSON.stringify(info));
  await new Promise<void>((resolve) =>
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.parent_header?.msg_id === info.header.msg_id && m.msg_type === 'kernel_info_reply') resolve();
    }),
  );
  await new Promise((r) => setTimeout(r, 500));
  const run = message('execute_request', { code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true });
  const header = run.header;
  ws.send(JSON.stringify(run));
  // Wait until the kernel says it is busy with it.
  await new Promise<void>((resolve) =>
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.parent_header?.msg_id === header.msg_id && m.msg_type === 'status' && m.content.execution_state === 'busy') resolve();
    }),
  );
  return ws;
}
