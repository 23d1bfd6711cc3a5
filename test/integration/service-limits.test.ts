// serve facing strangers: one client cannot take every notebook. One live notebook (or place
// in line) per browser, cross-site starts refused, a bounded waiting line whose abandoned
// tickets lose their place, a served URL handed out once, an optional cap per address and a
// rate limit per address whose default lets a classroom behind one NAT start together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { ADMIN, serviceContainers, spawn, splitUrl, startTestServe, testSpec, until, warmPool } from '../helpers/serve.js';

const JSON_ACCEPT = { accept: 'application/json' };

function cookieOf(res: Response, name: string): string | undefined {
  for (const c of res.headers.getSetCookie()) if (c.startsWith(`${name}=`)) return c;
  return undefined;
}

test('serve: one notebook per browser, no cross-site starts, a bounded line whose abandoned tickets lose their place', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const spec = testSpec(NOTEBOOK6_IMAGE, { pool: { size: 1, capacity: 1, queue: 2 } });
  const h = await startTestServe(t, engine, spec);
  await warmPool(h);

  // Cross-site posts start nothing (a form on another site, a framed page, a notebook's subdomain).
  for (const headers of [{ origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'null' }]) {
    const r = await fetch(`${h.url}/spawn`, { method: 'POST', headers: { ...JSON_ACCEPT, ...headers }, redirect: 'manual' });
    assert.equal(r.status, 403, JSON.stringify(headers));
  }
  assert.equal(h.core.pool.counts().assigned, 0, 'no refused start took a notebook');

  // A browser: Start, open the notebook (Jupyter sets its own cookie), Start again.
  const first = await fetch(`${h.url}/spawn`, { method: 'POST', redirect: 'manual', headers: { origin: h.url, 'sec-fetch-site': 'same-origin' } });
  assert.equal(first.status, 303);
  const visitor = cookieOf(first, 'tcs_visitor')!;
  assert.ok(visitor, 'the browser gets a visitor cookie');
  assert.match(visitor, /Path=\/spawn/, 'scoped to /spawn: no notebook ever receives it');
  assert.match(visitor, /HttpOnly/);
  const A = splitUrl(h, first.headers.get('location')!);
  const opened = await fetch(`${h.url}${first.headers.get('location')}`, { redirect: 'manual' });
  assert.equal(opened.status, 200);
  const jupyterCookie = opened.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const again = await fetch(`${h.url}/spawn`, { method: 'POST', redirect: 'manual', headers: { cookie: visitor.split(';')[0] } });
  assert.equal(again.status, 303);
  const back = again.headers.get('location')!;
  assert.equal(back, `/user/${A.route}/tree`, 'the same notebook, without its token in the URL');
  assert.equal((await fetch(`${h.url}${back}`, { headers: { cookie: jupyterCookie }, redirect: 'manual' })).status, 200, 'the browser gets back in with Jupyter\'s cookie');
  assert.equal(h.core.pool.counts().assigned, 1, 'a second Start took no second notebook');
  assert.equal((await serviceContainers(spec.name)).length, 1);

  // Full: C (a script that will stop asking) and B (a browser that keeps asking) wait in line.
  const c = await spawn(h);
  assert.equal(c.status, 202);
  const bRes = await fetch(`${h.url}/spawn`, { method: 'POST', headers: JSON_ACCEPT });
  const b = (await bRes.json()) as { ticket: string; position: number };
  assert.equal(bRes.status, 202);
  assert.equal(b.position, 2);
  const bCookie = cookieOf(bRes, 'tcs_visitor')!.split(';')[0];
  const bAgain = (await (await fetch(`${h.url}/spawn`, { method: 'POST', headers: { ...JSON_ACCEPT, cookie: bCookie } })).json()) as { ticket: string };
  assert.equal(bAgain.ticket, b.ticket, 'a browser in line keeps its one place');

  // The line is bounded: past it, 503 with Retry-After (JSON) and a clear page (form).
  const over = await fetch(`${h.url}/spawn`, { method: 'POST', headers: JSON_ACCEPT });
  assert.equal(over.status, 503);
  assert.ok(Number(over.headers.get('retry-after')) > 0);
  assert.match(((await over.json()) as { error: string }).error, /full/);
  const overPage = await fetch(`${h.url}/spawn`, { method: 'POST' });
  assert.equal(overPage.status, 503);
  assert.match(await overPage.text(), /Full — try again in a few minutes/);
  assert.equal(h.core.pool.counts().waiting, 2);

  // C stops asking; B keeps asking. After C's page has been silent for more than ~10 s,
  // a freed notebook goes to B, not to C (who was first).
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await fetch(`${h.url}/api/wait/${b.ticket}`).then((r) => r.json()).then((j: { url?: string }) => j.url && (polling = false));
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  t.after(() => (polling = false));
  await until('C to lose its place', () => h.core.pool.counts().waiting === 1, 30_000);
  polling = false;
  await poller;
  const del = await fetch(`${h.adminUrl}/admin/api/sessions/${A.route}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(del.status, 200);
  const served = await until('B to be served', async () => ((await (await fetch(`${h.url}/api/wait/${b.ticket}`)).json()) as { url?: string }).url, 90_000);
  splitUrl(h, served);
  assert.deepEqual(await (await fetch(`${h.url}/api/wait/${c.ticket}`)).json(), { gone: true }, 'C lost its place');

  // A served ticket's URL is handed out once.
  assert.deepEqual(await (await fetch(`${h.url}/api/wait/${b.ticket}`)).json(), { gone: true });
  const waitPage = await fetch(`${h.url}/wait/${b.ticket}`, { redirect: 'manual' });
  assert.equal(waitPage.headers.get('location'), '/');
  // B's browser still finds its notebook through Start.
  const bBack = (await (await fetch(`${h.url}/spawn`, { method: 'POST', headers: { ...JSON_ACCEPT, cookie: bCookie } })).json()) as { url: string };
  assert.equal(bBack.url, served.replace(/\?token=.*$/, ''));
});

test('serve: an optional cap per address; a rate limit per address that a classroom behind one NAT stays under', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const capped = await startTestServe(t, engine, testSpec(NOTEBOOK6_IMAGE, { pool: { size: 0, capacity: 2, 'per-address': 1 } }));
  const one = await spawn(capped);
  assert.equal(one.status, 202, 'a place in line counts against the cap');
  const two = await fetch(`${capped.url}/spawn`, { method: 'POST', headers: JSON_ACCEPT });
  assert.equal(two.status, 429);
  assert.match(((await two.json()) as { error: string }).error, /already holds 1 notebook/);
  assert.equal(capped.core.pool.counts().waiting, 1);

  // The default: 40 Starts from one address within a minute all get an answer that is not 429
  // (cross-site ones, answered 403 without starting anything, to keep the test light).
  const open = await startTestServe(t, engine, testSpec(NOTEBOOK6_IMAGE, { pool: { size: 0, capacity: 1 } }));
  const codes = await Promise.all(
    Array.from({ length: 40 }, () => fetch(`${open.url}/spawn`, { method: 'POST', headers: { ...JSON_ACCEPT, origin: 'http://other.example' } }).then((r) => r.status)),
  );
  assert.deepEqual([...new Set(codes)], [403]);

  // A low limit is enforced per address, with Retry-After.
  const tight = await startTestServe(t, engine, testSpec(NOTEBOOK6_IMAGE, { pool: { size: 0, capacity: 1, 'starts-per-minute': 3 } }));
  const statuses: number[] = [];
  let last: Response | undefined;
  for (let i = 0; i < 4; i++) {
    last = await fetch(`${tight.url}/spawn`, { method: 'POST', headers: { ...JSON_ACCEPT, origin: 'http://other.example' } });
    statuses.push(last.status);
  }
  assert.deepEqual(statuses, [403, 403, 403, 429]);
  assert.ok(Number(last!.headers.get('retry-after')) > 0);
});
