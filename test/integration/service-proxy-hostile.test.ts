// serve's proxy against strangers, on the real engine: raw-socket requests a browser would not
// send, and a visitor's container whose "notebook" misbehaves on purpose
// (test/fixtures/hostile-notebook.py, run in a real container as the server command), then
// subdomain mode in front of a real Jupyter server, addressed by Host headers on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { rawRequest } from '../helpers/raw-http.js';
import { spawn, splitUrl, startTestServe, testSpec, warmPool } from '../helpers/serve.js';

const HOSTILE = readFileSync(new URL('../fixtures/hostile-notebook.py', import.meta.url), 'utf8');

test('serve: the proxy holds against a hostile visitor and a hostile notebook', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const spec = testSpec(NOTEBOOK6_IMAGE, {
    pool: { size: 1, capacity: 2 },
    jupyter: { command: ['python3', '-c', HOSTILE] },
    listen: { port: 0, 'connections-per-address': 6 },
  });
  const h = await startTestServe(t, engine, spec);
  await warmPool(h);
  const s = await spawn(h);
  const { route, token } = splitUrl(h, s.url!);
  const path = (p: string) => `/user/${route}/${p}?token=${token}`;
  const host = `Host: ${new URL(h.url).host}`;
  const echo = async (lines: string[]) => {
    const r = await rawRequest(h.url, [`GET ${path('echo')} HTTP/1.1`, ...lines]);
    assert.equal(r.status, 200, r.raw);
    const fields = (JSON.parse(r.body) as { fields: [string, string][] }).fields;
    return (name: string) => fields.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
  };

  await t.test('Connection cannot remove Host (or the framing fields)', async () => {
    const got = await echo([host, 'Connection: close, host, content-length, x-private', 'X-Private: hop']);
    assert.deepEqual(got('host'), [new URL(h.url).host]);
    assert.deepEqual(got('x-private'), [], 'a field Connection names stays behind');
  });

  await t.test('two Host fields are a 400 (RFC 9112), on the visitors\' port, for an upgrade and on the admin\'s', async () => {
    const web = await rawRequest(h.url, [`GET ${path('echo')} HTTP/1.1`, host, 'Host: other.example']);
    assert.equal(web.status, 400, web.raw);
    assert.doesNotMatch(web.raw, /"fields"/, 'the notebook never saw it');
    const upgrade = await rawRequest(h.url, [`GET ${path('api/kernels/x/channels')} HTTP/1.1`, host, 'Host: other.example', 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13']);
    assert.equal(upgrade.status, 400, upgrade.raw);
    const admin = await rawRequest(h.adminUrl, ['GET /admin HTTP/1.1', `Host: ${new URL(h.adminUrl).host}`, 'Host: evil.example']);
    assert.equal(admin.status, 400, admin.raw);
    assert.equal((await rawRequest(h.url, [`GET ${path('echo')} HTTP/1.1`, host])).status, 200, 'one Host is fine');
  });

  await t.test('X-Forwarded-* from a peer that is not a trusted proxy are replaced, not appended to', async () => {
    const got = await echo([host, 'X-Forwarded-For: 6.6.6.6', 'X-Forwarded-Proto: https', 'X-Forwarded-Host: admin.example.org']);
    assert.deepEqual(got('x-forwarded-for'), ['127.0.0.1']);
    assert.deepEqual(got('x-forwarded-proto'), ['http']);
    assert.deepEqual(got('x-forwarded-host'), [new URL(h.url).host]);
  });

  await t.test('an upstream Set-Cookie cannot leave the visitor\'s /user/ROUTE/', async () => {
    const r = await rawRequest(h.url, [`GET ${path('cookies')} HTTP/1.1`, host]);
    assert.equal(r.status, 200);
    const cookies = [...r.raw.matchAll(/^set-cookie: (.*)$/gim)].map((m) => m[1]);
    const base = `/user/${route}/`;
    assert.deepEqual(cookies, [`everywhere=1; Path=${base}; HttpOnly`, `other=2; Path=${base}`, `mine=3; Path=${base}x; SameSite=Lax`, `nopath=4; Path=${base}`]);
  });

  await t.test('a response with both Content-Length and chunked framing is refused, nothing smuggled', async () => {
    const r = await rawRequest(h.url, [`GET ${path('both')} HTTP/1.1`, host]);
    assert.equal(r.status, 502, r.raw);
    assert.doesNotMatch(r.raw, /smuggled/);
  });

  await t.test('a POST is never sent twice; a GET on a dropped connection is retried once', async () => {
    await echo([host]); // leaves a kept-alive connection to the notebook for the next request
    const post = await rawRequest(h.url, [`POST ${path('drop')} HTTP/1.1`, host, 'Content-Length: 2'], 'hi');
    assert.equal(post.status, 502, post.raw);
    await echo([host]);
    const get = await rawRequest(h.url, [`GET ${path('drop')} HTTP/1.1`, host]);
    assert.equal(get.status, 502, get.raw);
    const counts = JSON.parse((await rawRequest(h.url, [`GET ${path('count')} HTTP/1.1`, host])).body);
    assert.deepEqual(counts, { POST: 1, GET: 2 });
  });

  await t.test('a request with both Content-Length and Transfer-Encoding never reaches the notebook', async () => {
    const r = await rawRequest(h.url, [`POST ${path('drop')} HTTP/1.1`, host, 'Content-Length: 5', 'Transfer-Encoding: chunked'], '0\r\n\r\n');
    assert.equal(r.status, 400);
    const counts = JSON.parse((await rawRequest(h.url, [`GET ${path('count')} HTTP/1.1`, host])).body);
    assert.equal(counts.POST, 1);
  });

  await t.test('a request head that never ends is cut off (server headersTimeout), long before node\'s default', async () => {
    const c = net.connect(Number(new URL(h.url).port), '127.0.0.1');
    c.on('error', () => {});
    c.write(`GET ${path('echo')} HTTP/1.1\r\n${host}\r\n`);
    const t0 = Date.now();
    const got = await new Promise<string>((resolve) => {
      let text = '';
      c.on('data', (d) => (text += d));
      c.once('close', () => resolve(text));
      setTimeout(() => { c.destroy(); resolve('still open after 40 s'); }, 40_000);
    });
    assert.match(got, /^HTTP\/1\.1 408 /, `${got} after ${Date.now() - t0} ms`);
  });
  await t.test('connections per address are capped (listen.connections-per-address)', async () => {
    const open = await Promise.all(Array.from({ length: 8 }, () => new Promise<net.Socket>((resolve, reject) => {
      const c = net.connect(Number(new URL(h.url).port), '127.0.0.1', () => resolve(c));
      c.on('error', reject);
    })));
    const closed = await Promise.all(open.map((c) => new Promise<boolean>((resolve) => {
      c.once('close', () => resolve(true));
      c.write(`GET /health HTTP/1.1\r\n${host}\r\n\r\n`);
      c.once('data', () => resolve(false));
    })));
    for (const c of open) c.destroy();
    // (This process may hold one more, kept alive by fetch.)
    const answered = closed.filter((x) => !x).length;
    assert.ok(answered <= 6 && answered >= 5, `${answered} of 8 connections answered`);
  });

});

test('serve: visitors.host gives each visitor a subdomain of its own, routed by Host', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const spec = testSpec(NOTEBOOK6_IMAGE, { pool: { size: 1, capacity: 2 }, visitors: { host: '*.nb.example.test' } });
  const h = await startTestServe(t, engine, spec);
  await warmPool(h);
  const s = await spawn(h);
  const m = /^\/\/([0-9a-f]{32})\.nb\.example\.test\/user\/\1\/[^?]*\?token=([0-9a-f]+)$/.exec(s.url!);
  assert.ok(m, `a URL on the visitor's own subdomain: ${s.url}`);
  const [, route, token] = m;
  const port = new URL(h.url).port;
  const own = `Host: ${route}.nb.example.test:${port}`;
  const status = `/user/${route}/api/status?token=${token}`;

  const r = await rawRequest(h.url, [`GET ${status} HTTP/1.1`, own]);
  assert.equal(r.status, 200, `the real notebook answers on its subdomain: ${r.raw.slice(0, 300)}`);
  assert.match(r.body, /"started"/);
  const onMain = await rawRequest(h.url, [`GET ${status} HTTP/1.1`, `Host: 127.0.0.1:${port}`]);
  assert.equal(onMain.status, 302, 'on the main host: sent to its own origin');
  assert.equal(onMain.headers.location, `//${route}.nb.example.test${status}`);
  const other = await rawRequest(h.url, [`GET ${status} HTTP/1.1`, `Host: ${'b'.repeat(32)}.nb.example.test:${port}`]);
  assert.equal(other.status, 404, 'another visitor\'s subdomain does not open this notebook');
  const stray = await rawRequest(h.url, [`GET /health HTTP/1.1`, own]);
  assert.equal(stray.status, 404, 'a visitor\'s origin serves only its notebook');
});
