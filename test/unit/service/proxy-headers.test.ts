// What the proxy sends on and gives back: this hop's fields, X-Forwarded-* by trust, cookies
// confined to the visitor's space, subdomain routing, trusted-proxy matching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostProblem, upstreamHeaders, type Peer } from '../../../src/service/proxy/request-headers.js';
import { downstreamHeaders } from '../../../src/service/proxy/response-headers.js';
import { confineCookie } from '../../../src/service/proxy/set-cookie.js';
import { fastifyTrust, isAddressOrRange, trustedProxies } from '../../../src/service/proxy/trusted.js';
import { hostSuffix, routeOfHost, visitorBase } from '../../../src/service/proxy/visitor-path.js';

const R = 'a'.repeat(32);
const peer = (trusted: boolean): Peer => ({ address: '10.0.0.7', trusted, port: 8000, proto: 'http' });
const asMap = (flat: string[]) => {
  const m: Record<string, string[]> = {};
  for (let i = 0; i < flat.length; i += 2) (m[flat[i].toLowerCase()] ??= []).push(flat[i + 1]);
  return m;
};

test('Connection removes what it names, but never Host or the framing fields', () => {
  const h = asMap(upstreamHeaders(['Host', 'nb', 'Connection', 'host, content-length, X-Private, keep-alive', 'Content-Length', '2', 'X-Private', 'p', 'Keep-Alive', '5', 'Upgrade', 'x', 'Expect', '100-continue'], peer(false)));
  assert.deepEqual(h.host, ['nb']);
  assert.deepEqual(h['content-length'], ['2']);
  for (const gone of ['x-private', 'keep-alive', 'connection', 'upgrade', 'expect']) assert.equal(h[gone], undefined, gone);
});

test('X-Forwarded-* from an untrusted peer are replaced; from a trusted proxy appended to', () => {
  const sent = ['Host', 'nb', 'X-Forwarded-For', '6.6.6.6', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'evil', 'Forwarded', 'for=6.6.6.6'];
  const u = asMap(upstreamHeaders(sent, peer(false)));
  assert.deepEqual(u['x-forwarded-for'], ['10.0.0.7']);
  assert.deepEqual(u['x-forwarded-proto'], ['http']);
  assert.deepEqual(u['x-forwarded-host'], ['nb']);
  assert.deepEqual(u['x-forwarded-port'], ['8000']);
  assert.equal(u.forwarded, undefined);
  const t = asMap(upstreamHeaders(sent, peer(true)));
  assert.deepEqual(t['x-forwarded-for'], ['6.6.6.6, 10.0.0.7']);
  assert.deepEqual(t['x-forwarded-proto'], ['https']);
  assert.deepEqual(t['x-forwarded-host'], ['evil']);
});

test('behind a trusted proxy that appends, Proto/Host/Port are its own view (the last entry), never the client\'s first', () => {
  const lines = asMap(upstreamHeaders(['Host', 'nb', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Proto', 'http', 'X-Forwarded-Host', 'evil', 'X-Forwarded-Host', 'nb.example.org', 'X-Forwarded-Port', '1, 443'], peer(true)));
  assert.deepEqual(lines['x-forwarded-proto'], ['http']);
  assert.deepEqual(lines['x-forwarded-host'], ['nb.example.org']);
  assert.deepEqual(lines['x-forwarded-port'], ['443']);
  const joined = asMap(upstreamHeaders(['Host', 'nb', 'X-Forwarded-Proto', 'https, http'], peer(true)));
  assert.deepEqual(joined['x-forwarded-proto'], ['http']);
});

test('a request with both Content-Length and Transfer-Encoding is refused', () => {
  assert.throws(() => upstreamHeaders(['Host', 'nb', 'Content-Length', '3', 'Transfer-Encoding', 'chunked'], peer(false)), /conflicting framing/);
});

test('Set-Cookie stays inside /user/ROUTE/: Path outside is rewritten, Domain dropped, __Host- dropped', () => {
  const base = `/user/${R}/`;
  assert.equal(confineCookie('a=1; Path=/; Domain=example.org; HttpOnly', base), `a=1; Path=${base}; HttpOnly`);
  assert.equal(confineCookie(`b=2; Path=${base}api`, base), `b=2; Path=${base}api`);
  assert.equal(confineCookie(`c=3; Path=/user/${R}`, base), `c=3; Path=/user/${R}`);
  assert.equal(confineCookie(`d=4; Path=${base}../../`, base), `d=4; Path=${base}`);
  assert.equal(confineCookie(`e=5; Path=/user/${R}x/`, base), `e=5; Path=${base}`);
  assert.equal(confineCookie('f=6', base), `f=6; Path=${base}`);
  assert.equal(confineCookie('__Host-g=7; Path=/; Secure', base), undefined);
});

test('response fields: hop-by-hop and what Connection names stay behind; cookies confined', () => {
  const raw = ['Connection', 'keep-alive, X-Private', 'Keep-Alive', 'timeout=5', 'X-Private', 'p', 'Transfer-Encoding', 'chunked', 'Set-Cookie', 'a=1; Path=/', 'Content-Type', 'text/plain'].map((x) => Buffer.from(x));
  assert.deepEqual(downstreamHeaders(raw, `/user/${R}/`), ['Set-Cookie', `a=1; Path=/user/${R}/`, 'Content-Type', 'text/plain']);
});

test('subdomain mode: the route comes from the Host, and only a 32-hex label under the suffix counts', () => {
  const s = hostSuffix('*.nb.example.org')!;
  assert.equal(routeOfHost(`${R}.nb.example.org:8000`, s), R);
  assert.equal(routeOfHost(`${R.toUpperCase()}.NB.example.org`, s), R);
  assert.equal(routeOfHost(`x.${R}.nb.example.org`, s), undefined);
  assert.equal(routeOfHost(`${R}.nb.example.org.evil.com`, s), undefined);
  assert.equal(routeOfHost('nb.example.org', s), undefined);
  assert.equal(visitorBase(R, s), `//${R}.nb.example.org/user/${R}/`);
  assert.equal(visitorBase(R, undefined), `/user/${R}/`);
});

test('trusted proxies: addresses and CIDR ranges, IPv4-mapped peers; nothing trusted by default', () => {
  const t = trustedProxies(['10.0.0.0/8', '192.168.1.5', 'fd00::/8']);
  assert.ok(t.has('10.2.3.4'));
  assert.ok(t.has('::ffff:10.2.3.4'));
  assert.ok(t.has('192.168.1.5'));
  assert.ok(!t.has('192.168.1.6'));
  assert.ok(t.has('fd00::1'));
  assert.ok(!trustedProxies([]).has('127.0.0.1'));
  assert.ok(isAddressOrRange('10.0.0.0/8') && isAddressOrRange('::1') && !isAddressOrRange('10.0.0.0/33') && !isAddressOrRange('example.org'));
});

test('the service\'s own routes trust the same list (fastify trustProxy): nothing by default, loopback not implied', () => {
  assert.equal(fastifyTrust([]), false);
  const fn = fastifyTrust(['10.0.0.0/8']);
  assert.ok(fn);
  assert.equal(fn('10.1.2.3', 0), true);
  assert.equal(fn('::ffff:10.1.2.3', 0), true);
  assert.equal(fn('127.0.0.1', 0), false);
  assert.equal(fn('::1', 0), false);
});

test('a request with two Host fields (or an HTTP/1.1 one with none) is a bad request', () => {
  assert.equal(hostProblem(['Host', 'a', 'Accept', '*/*'], '1.1'), undefined);
  assert.equal(hostProblem(['Host', 'a', 'host', 'b'], '1.1'), 'more than one Host header');
  assert.equal(hostProblem(['Host', 'a', 'HOST', 'a'], '1.0'), 'more than one Host header');
  assert.equal(hostProblem([], '1.1'), 'no Host header');
  assert.equal(hostProblem([], '1.0'), undefined);
});
