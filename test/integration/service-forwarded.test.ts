// X-Forwarded-* count only from a peer in listen.trusted-proxies, everywhere: what a notebook is
// told, the visitor's cookie and address on POST /spawn (Secure, per-address cap), and the
// admin cookie's Secure. Raw-socket requests against a real service with real containers: the
// trusted proxy connects from 127.0.0.2, a stranger from 127.0.0.1 (both on loopback).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { rawRequest, type RawResponse } from '../helpers/raw-http.js';
import { ADMIN, startTestServe, testSpec, warmPool } from '../helpers/serve.js';

const HOSTILE = readFileSync(new URL('../fixtures/hostile-notebook.py', import.meta.url), 'utf8');
const PROXY = '127.0.0.2';
const STRANGER = '127.0.0.1';
const FORGED = ['X-Forwarded-Proto: https', 'X-Forwarded-Host: nb.example.org'];

const setCookie = (r: RawResponse) => [...r.raw.matchAll(/^set-cookie: (.*)$/gim)].map((m) => m[1]).join('\n');

test('serve: X-Forwarded-* are believed only from listen.trusted-proxies (notebook, /spawn, admin cookie)', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const spec = testSpec(NOTEBOOK6_IMAGE, {
    listen: { port: 0, 'trusted-proxies': [PROXY] },
    pool: { size: 3, capacity: 3, 'per-address': 1 },
    jupyter: { command: ['python3', '-c', HOSTILE] },
  });
  const h = await startTestServe(t, engine, spec);
  await warmPool(h);
  const host = `Host: ${new URL(h.url).host}`;
  const spawn = (from: string, xff: string) =>
    rawRequest(h.url, ['POST /spawn HTTP/1.1', host, 'Accept: application/json', 'Content-Length: 0', `X-Forwarded-For: ${xff}`, ...FORGED], '', from);

  // POST /spawn: a stranger's forged fields change nothing (its address is its socket's).
  const first = await spawn(STRANGER, '198.51.100.1');
  assert.equal(first.status, 200, first.raw);
  assert.match(setCookie(first), /^tcs_visitor=/);
  assert.doesNotMatch(setCookie(first), /Secure/, 'a stranger\'s X-Forwarded-Proto: https does not make the cookie Secure');
  const second = await spawn(STRANGER, '198.51.100.2');
  assert.equal(second.status, 429, `a forged X-Forwarded-For does not dodge pool.per-address: ${second.raw}`);

  // Through the trusted proxy: the visitor's own address and scheme.
  const viaProxy = await spawn(PROXY, '203.0.113.7');
  assert.equal(viaProxy.status, 200, viaProxy.raw);
  assert.match(setCookie(viaProxy), /; Secure/, 'behind the TLS proxy the visitor cookie is Secure');
  const other = await spawn(PROXY, '203.0.113.8');
  assert.equal(other.status, 200, `another visitor behind the same proxy is another address: ${other.raw}`);

  // What the notebook is told.
  const { url } = JSON.parse(first.body) as { url: string };
  const echo = async (from: string, lines: string[]) => {
    const r = await rawRequest(h.url, [`GET ${url.replace(/[^/]*\?/, 'echo?')} HTTP/1.1`, host, ...lines], '', from);
    assert.equal(r.status, 200, r.raw);
    const fields = (JSON.parse(r.body) as { fields: [string, string][] }).fields;
    return (name: string) => fields.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
  };
  const forged = ['X-Forwarded-For: 6.6.6.6', ...FORGED, 'X-Forwarded-Port: 443', 'Forwarded: for=6.6.6.6;proto=https'];
  const direct = await echo(STRANGER, forged);
  assert.deepEqual(direct('x-forwarded-for'), [STRANGER]);
  assert.deepEqual(direct('x-forwarded-proto'), ['http']);
  assert.deepEqual(direct('x-forwarded-host'), [new URL(h.url).host]);
  assert.deepEqual(direct('x-forwarded-port'), [new URL(h.url).port]);
  assert.deepEqual(direct('forwarded'), []);
  const proxied = await echo(PROXY, forged);
  assert.deepEqual(proxied('x-forwarded-for'), [`6.6.6.6, ${PROXY}`], 'appended to for a trusted proxy');
  assert.deepEqual(proxied('x-forwarded-proto'), ['https']);
  assert.deepEqual(proxied('x-forwarded-host'), ['nb.example.org']);
  assert.deepEqual(proxied('x-forwarded-port'), ['443']);

  // The admin cookie: Secure only when a trusted proxy says HTTPS; loopback alone is not trusted.
  const login = (from: string) => {
    const body = `token=${ADMIN}`;
    return rawRequest(h.adminUrl, ['POST /admin/login HTTP/1.1', `Host: ${new URL(h.adminUrl).host}`, 'Content-Type: application/x-www-form-urlencoded', `Content-Length: ${body.length}`, ...FORGED], body, from);
  };
  const strangerLogin = await login(STRANGER);
  assert.equal(strangerLogin.status, 303, strangerLogin.raw);
  assert.match(setCookie(strangerLogin), /^tcs_admin=/);
  assert.doesNotMatch(setCookie(strangerLogin), /Secure/, 'a stranger\'s X-Forwarded-Proto: https does not make the admin cookie Secure');
  const proxyLogin = await login(PROXY);
  assert.equal(proxyLogin.status, 303, proxyLogin.raw);
  assert.match(setCookie(proxyLogin), /; Secure/, 'behind a trusted TLS proxy the admin cookie is Secure');
  assert.equal(proxyLogin.headers.location, '/admin', 'the redirect stays relative (no forwarded host in it)');
});
