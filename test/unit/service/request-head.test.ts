// The fast lane's reading of request heads: what it takes, the head it sends on, and what it
// leaves to node's http server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { laneRequest } from '../../../src/service/request-head.js';

const R = `/user/${'a'.repeat(32)}`;
const head = (...lines: string[]) => lines.join('\r\n');

test('a browser\'s GET: taken as it is; the notebook gets X-Forwarded-* added', () => {
  const r = laneRequest(head(`GET ${R}/api/status?token=t HTTP/1.1`, 'Host: notebooks.example:8443', 'User-Agent: x', 'Accept: */*', 'Connection: keep-alive', 'Cookie: _xsrf=1'), '10.0.0.7');
  assert.ok(r);
  assert.equal(r.method, 'GET');
  assert.equal(r.url, `${R}/api/status?token=t`);
  assert.equal(r.close, false);
  assert.equal(
    r.upstream,
    head(`GET ${R}/api/status?token=t HTTP/1.1`, 'Host: notebooks.example:8443', 'User-Agent: x', 'Accept: */*', 'Connection: keep-alive', 'Cookie: _xsrf=1', 'x-forwarded-for: 10.0.0.7', 'x-forwarded-port: 8443', 'x-forwarded-proto: http', 'x-forwarded-host: notebooks.example:8443', '', ''),
    'the visitor\'s head as it is, X-Forwarded-* added',
  );
  const closing = laneRequest(head(`HEAD ${R}/x HTTP/1.1`, 'host: h', 'Connection: close'), '::1');
  assert.equal(closing?.close, true);
  assert.ok(closing?.upstream.endsWith('connection: keep-alive\r\n\r\n'), 'this hop\'s Connection, not the visitor\'s');
  assert.equal(closing?.upstream.split('\r\n')[0], `HEAD ${R}/x HTTP/1.1`);
});

test('unusual fields take the general way: appended X-Forwarded-*, joined cookies, named hop-by-hop fields dropped', () => {
  const r = laneRequest(head(`GET ${R}/x HTTP/1.1`, 'Host: h:81', 'X-Forwarded-For: 1.2.3.4', 'X-Forwarded-Proto: https', 'Cookie: a=1', 'Cookie: b=2', 'Connection: keep-alive, X-Hop', 'X-Hop: 1', 'TE: trailers'), '127.0.0.1');
  assert.ok(r);
  const lines = r.upstream.split('\r\n');
  assert.ok(lines.includes('x-forwarded-for: 1.2.3.4,127.0.0.1'));
  assert.ok(lines.includes('x-forwarded-proto: https,http'));
  assert.ok(lines.includes('x-forwarded-port: 81'));
  assert.ok(lines.includes('cookie: a=1; b=2'));
  assert.ok(lines.includes('connection: keep-alive'));
  assert.ok(!lines.some((l) => /^(x-hop|te):/i.test(l)), r.upstream);
});

test('everything else is left to node', () => {
  const ok = (...more: string[]) => head(`GET ${R}/x HTTP/1.1`, 'Host: h', ...more);
  const refused = [
    head(`POST ${R}/x HTTP/1.1`, 'Host: h', 'Content-Length: 0'),
    head(`DELETE ${R}/x HTTP/1.1`, 'Host: h'),
    head(`GET ${R}/x HTTP/1.0`, 'Host: h'),
    head(`GET http://h${R}/x HTTP/1.1`, 'Host: h'),
    head(`GET ${R}/x\u00e9 HTTP/1.1`, 'Host: h'),
    head(`GET ${R}/x HTTP/1.1`),
    head(`GET ${R}/x HTTP/1.1`, 'Host: h', 'Host: i'),
    ok('Content-Length: 0'),
    ok('Transfer-Encoding: chunked'),
    ok('Upgrade: websocket', 'Connection: Upgrade'),
    ok('Connection: upgrade'),
    ok('Expect: 100-continue'),
    ok('Bad Name: x'),
    ok(' folded: x'),
    ok('X: a\nInjected: b'),
    ok('X: a\rb'),
    ok('X: \u0000'),
    `GET ${R}/x HTTP/1.1\nHost: h`,
  ];
  for (const h of refused) assert.equal(laneRequest(h, '127.0.0.1'), undefined, JSON.stringify(h));
});

test('long odd values are read in linear time', () => {
  const t0 = performance.now();
  for (const v of [' '.repeat(15_000) + 'x', 'a'.repeat(15_000) + '\u0001', ' \t'.repeat(7_000)]) laneRequest(head(`GET ${R}/x HTTP/1.1`, 'Host: h', `X: ${v}`), '127.0.0.1');
  assert.ok(performance.now() - t0 < 1000);
});
