// serve at capacity: the waiting line shows the visitor's place and moves on by itself when a
// slot frees; an ended visitor gets a clear page; a drained service says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { ADMIN, serviceContainers, spawn, splitUrl, startTestServe, testSpec, until, warmPool } from '../helpers/serve.js';

test('serve: a full service queues visitors, then serves them when a slot frees', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const spec = testSpec(NOTEBOOK6_IMAGE, { pool: { size: 1, capacity: 1, queue: 3 } });
  const h = await startTestServe(t, engine, spec);
  await warmPool(h);

  const a = await spawn(h);
  assert.equal(a.status, 200);
  const A = splitUrl(h, a.url!);

  // Full: B and C wait in line, with their places.
  const b = await spawn(h);
  const c = await spawn(h);
  assert.equal(b.status, 202);
  assert.equal(b.position, 1);
  assert.equal(c.position, 2);
  const waitPage = await fetch(`${h.url}/wait/${c.ticket}`);
  assert.equal(waitPage.status, 200);
  const html = await waitPage.text();
  assert.match(html, /All notebooks are in use/);
  assert.match(html, /<p class="big" id="position">2<\/p>/);
  assert.match(html, /\/api\/wait\//, 'the page polls by itself');
  assert.equal((await serviceContainers(spec.name)).length, 1, 'the capacity is a hard limit');

  // The landing page's form redirects to the waiting page when full.
  const form = await fetch(`${h.url}/spawn`, { method: 'POST', redirect: 'manual' });
  assert.equal(form.status, 303);
  assert.match(form.headers.get('location')!, /^\/wait\/[0-9a-f]+$/);

  // The admin ends A: B (first in line) gets the freed slot, C moves up.
  const del = await fetch(`${h.adminUrl}/admin/api/sessions/${A.route}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(del.status, 200);
  const served = await until('B to be served', async () => {
    const r = (await (await fetch(`${h.url}/api/wait/${b.ticket}`)).json()) as { url?: string };
    return r.url;
  });
  const B = splitUrl(h, served);
  assert.equal((await fetch(`${h.url}${served}`)).status, 200);
  const cNow = (await (await fetch(`${h.url}/api/wait/${c.ticket}`)).json()) as { position: number };
  assert.equal(cNow.position, 1);
  assert.notEqual(B.route, A.route);

  // A comes back: a clear page, not an error.
  const back = await fetch(`${A.base}/tree?token=${A.token}`);
  assert.equal(back.status, 410);
  const text = await back.text();
  assert.match(text, /This notebook has ended/);
  assert.match(text, /the organisers closed it/);
  assert.match(text, /Start a new notebook/);
  assert.equal((await serviceContainers(spec.name)).length, 1);

  // Drain: no new notebooks, a clear answer.
  const drain = await fetch(`${h.adminUrl}/admin/api/drain`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(((await drain.json()) as { pool: { draining: boolean } }).pool.draining, true);
  const closed = await fetch(`${h.url}/spawn`, { method: 'POST' });
  assert.equal(closed.status, 503);
  assert.match(await closed.text(), /Not starting new notebooks/);
  assert.equal((await fetch(`${B.base}/api/status?token=${B.token}`)).status, 200, 'running notebooks keep working while draining');
});
