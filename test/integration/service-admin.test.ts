// serve's admin on its own origin: a separate listener for the page, the API and /metrics
// (nothing of it on the visitors' port); the API takes the bearer token only; the page a
// signed session cookie (never the token), its forms a CSRF token from the admin's origin;
// a malformed cookie is 401, never 500 (raw sockets: a browser would not send these).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { rawRequest } from '../helpers/raw-http.js';
import { ADMIN, startTestServe, testSpec } from '../helpers/serve.js';

const bearer = { authorization: `Bearer ${ADMIN}` };

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function login(adminUrl: string): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const res = await fetch(`${adminUrl}/admin/login`, { method: 'POST', body: new URLSearchParams({ token: ADMIN }), redirect: 'manual', headers: { origin: adminUrl } });
  assert.equal(res.status, 303);
  const setCookie = res.headers.get('set-cookie')!;
  const cookie = setCookie.split(';')[0];
  const page = await fetch(`${adminUrl}/admin`, { headers: { cookie } });
  assert.equal(page.status, 200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  assert.ok(csrf, 'the page\'s forms carry a CSRF token');
  return { cookie, csrf, setCookie };
}

test('serve: the admin page, its API and /metrics listen on their own port (visitors\' port + 1), never on the visitors\' port', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const port = await freePort();
  const spec = testSpec(NOTEBOOK6_IMAGE, { listen: { port }, pool: { size: 0, capacity: 2 } });
  const h = await startTestServe(t, engine, spec);
  assert.equal(h.port, port);
  assert.equal(h.adminPort, port + 1, 'the default admin port is the visitors\' port + 1');
  assert.equal(h.adminUrl, `http://127.0.0.1:${port + 1}`);

  // The visitors' port knows nothing of the admin, with or without the token.
  for (const path of ['/admin', '/admin/api/sessions', '/metrics']) {
    assert.equal((await fetch(`${h.url}${path}`, { headers: bearer })).status, 404, `${path} on the visitors' port`);
  }
  assert.equal((await fetch(`${h.url}/admin/login`, { method: 'POST', body: new URLSearchParams({ token: ADMIN }), redirect: 'manual' })).status, 404);
  assert.equal((await fetch(`${h.url}/admin/api/drain`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: '{}' })).status, 404);
  assert.equal(h.core.pool.counts().draining, false);
  // The visitors' side still works there.
  assert.equal((await fetch(`${h.url}/health`)).status, 200);
  assert.match(await (await fetch(`${h.url}/`)).text(), /Start my notebook/);

  // The admin's port has them (behind the token).
  assert.equal((await fetch(`${h.adminUrl}/admin/api/sessions`, { headers: bearer })).status, 200);
  const metrics = await fetch(`${h.adminUrl}/metrics`, { headers: bearer });
  assert.equal(metrics.status, 200);
  assert.match(await metrics.text(), /^# TYPE transferctl_serve_capacity gauge$/m);
  assert.equal((await fetch(`${h.adminUrl}/metrics`)).status, 401, '/metrics needs the token');
  assert.equal((await fetch(`${h.adminUrl}/admin`)).status, 401);
});

test('serve: the admin API takes the bearer token only; the page a signed session cookie, its forms a CSRF token from the admin\'s origin', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const spec = testSpec(NOTEBOOK6_IMAGE, { pool: { size: 0, capacity: 2 }, admin: { listen: { port: 0 } } });
  const h = await startTestServe(t, engine, spec);
  const api = `${h.adminUrl}/admin/api/sessions`;

  const none = await fetch(api);
  assert.equal(none.status, 401);
  assert.match(((await none.json()) as { error: string }).error, /admin token required/);
  assert.equal((await fetch(api, { headers: { authorization: 'Bearer wrong' } })).status, 401);
  assert.equal((await fetch(`${h.adminUrl}/admin/api/drain`, { method: 'POST', headers: { authorization: 'Bearer wrong' } })).status, 401);
  const ok = await fetch(api, { headers: bearer });
  assert.equal(ok.status, 200);
  assert.deepEqual(((await ok.json()) as { sessions: unknown[] }).sessions, []);

  // Sign in: a wrong token is refused; a sign-in posted from another site is refused.
  const bad = await fetch(`${h.adminUrl}/admin/login`, { method: 'POST', body: new URLSearchParams({ token: 'nope' }), redirect: 'manual' });
  assert.equal(bad.status, 401);
  const foreign = await fetch(`${h.adminUrl}/admin/login`, { method: 'POST', body: new URLSearchParams({ token: ADMIN }), redirect: 'manual', headers: { origin: 'http://evil.example' } });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.headers.get('set-cookie'), null);

  const { cookie, csrf, setCookie } = await login(h.adminUrl);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /Path=\/admin/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.doesNotMatch(setCookie, /Secure/, 'plain HTTP on loopback: not Secure');
  assert.ok(!decodeURIComponent(setCookie).includes(ADMIN), 'the cookie is a signed session, not the token');

  // X-Forwarded-Proto from loopback is not enough: only listen.trusted-proxies may make it Secure
  // (service-forwarded.test.ts).
  const tls = await fetch(`${h.adminUrl}/admin/login`, { method: 'POST', body: new URLSearchParams({ token: ADMIN }), redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
  assert.doesNotMatch(tls.headers.get('set-cookie')!, /Secure/);

  // The cookie opens the page, never the API.
  assert.equal((await fetch(api, { headers: { cookie } })).status, 401);
  assert.equal((await fetch(`${h.adminUrl}/metrics`, { headers: { cookie } })).status, 401);
  assert.equal((await fetch(`${h.adminUrl}/admin/api/drain`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' })).status, 401);
  // The old cookie (the raw token) opens nothing.
  assert.equal((await fetch(`${h.adminUrl}/admin`, { headers: { cookie: `tcs_admin=${ADMIN}` } })).status, 401);

  // Forms: without the CSRF token, with another's, from another origin or site: refused, nothing changes.
  const post = (body: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${h.adminUrl}/admin/drain`, { method: 'POST', body: new URLSearchParams(body), redirect: 'manual', headers: { cookie, ...headers } });
  assert.equal((await post({ drain: 'true' })).status, 403);
  assert.equal((await post({ drain: 'true', csrf: 'x'.repeat(43) })).status, 403);
  const other = await login(h.adminUrl);
  assert.equal((await post({ drain: 'true', csrf: other.csrf })).status, 403, 'a CSRF token belongs to its session');
  assert.equal((await post({ drain: 'true', csrf }, { origin: 'http://evil.example' })).status, 403);
  assert.equal((await post({ drain: 'true', csrf }, { origin: h.url })).status, 403, 'the visitors\' origin is another origin');
  assert.equal((await post({ drain: 'true', csrf }, { 'sec-fetch-site': 'same-site' })).status, 403);
  assert.equal((await fetch(`${h.adminUrl}/admin/drain`, { method: 'POST', body: new URLSearchParams({ drain: 'true', csrf }), redirect: 'manual' })).status, 401, 'no cookie');
  assert.equal(h.core.pool.counts().draining, false, 'no refused form changed anything');
  const good = await post({ drain: 'true', csrf }, { origin: h.adminUrl, 'sec-fetch-site': 'same-origin' });
  assert.equal(good.status, 303);
  assert.equal(h.core.pool.counts().draining, true);
});

test('serve: a malformed or forged admin cookie is 401, never 500', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const spec = testSpec(NOTEBOOK6_IMAGE, { pool: { size: 0, capacity: 2 }, admin: { listen: { port: 0 } } });
  const h = await startTestServe(t, engine, spec);
  const { cookie } = await login(h.adminUrl);
  const value = cookie.slice('tcs_admin='.length);
  const [exp, nonce, mac] = value.split('.');
  const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  const host = `Host: 127.0.0.1:${h.adminPort}`;
  const cookies = [
    'tcs_admin=%',
    'tcs_admin=%E0%A4%A',
    'tcs_admin=%00%ff',
    'tcs_admin="unterminated',
    'tcs_admin',
    '=; ;;tcs_admin==',
    `tcs_admin=${'a'.repeat(8000)}`,
    `tcs_admin=${exp}.${nonce}.${flip(mac)}`,
    `tcs_admin=${(parseInt(exp, 36) + 1e9).toString(36)}.${nonce}.${mac}`,
    `tcs_admin=${(Date.now() - 1000).toString(36)}.${nonce}.${mac}`,
    `tcs_admin=${value}.x`,
    'tcs_admin=\u00ff\u00fe',
  ];
  for (const c of cookies) {
    for (const path of ['/admin', '/admin/api/sessions']) {
      const r = await rawRequest(h.adminUrl, [`GET ${path} HTTP/1.1`, host, `Cookie: ${c}`]);
      assert.equal(r.status, 401, `${path} with Cookie: ${c.slice(0, 60)} → ${r.status}`);
    }
    const p = await rawRequest(h.adminUrl, ['POST /admin/drain HTTP/1.1', host, `Cookie: ${c}`, 'Content-Type: application/x-www-form-urlencoded', 'Content-Length: 10'], 'drain=true');
    assert.equal(p.status, 401, `POST with Cookie: ${c.slice(0, 60)} → ${p.status}`);
  }
  // Two cookie headers, the good one second: still a clean answer (not a crash).
  const two = await rawRequest(h.adminUrl, ['GET /admin HTTP/1.1', host, 'Cookie: tcs_admin=%', `Cookie: ${cookie}`]);
  assert.ok(two.status === 200 || two.status === 401, `two Cookie headers → ${two.status}`);
  const good = await rawRequest(h.adminUrl, ['GET /admin HTTP/1.1', host, `Cookie: ${cookie}`]);
  assert.equal(good.status, 200, 'the real session still works');
  assert.equal(h.core.pool.counts().draining, false);
});
