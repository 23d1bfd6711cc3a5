// The proxy's response reader: framing by length, chunks, close; HEAD/204/304; interim 1xx;
// input split anywhere; malformed responses refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseParser, UpstreamProtocolError, type ResponseHead } from '../../../src/service/upstream-response.js';

function read(method: string, input: string | Buffer, opts: { split?: number; close?: boolean } = {}) {
  const heads: ResponseHead[] = [];
  const body: Buffer[] = [];
  const p = new ResponseParser(method, { head: (h) => heads.push(h), body: (c) => body.push(Buffer.from(c)) });
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input, 'latin1');
  const step = opts.split ?? buf.length;
  let done = false;
  for (let i = 0; i < buf.length; i += step) done = p.push(buf.subarray(i, i + step));
  if (opts.close) done = p.close();
  return { heads, body: Buffer.concat(body).toString('latin1'), done, reusable: p.canReuse };
}

test('Content-Length: head fields kept as received, body counted, reusable', () => {
  const r = read('GET', 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 5\r\n\r\nhello');
  assert.equal(r.done, true);
  assert.equal(r.reusable, true);
  assert.equal(r.heads.length, 1);
  const h = r.heads[0];
  assert.deepEqual([h.status, h.message, h.framing, h.statusLine], [200, 'OK', 'length', 'HTTP/1.1 200 OK']);
  assert.deepEqual(h.headers, ['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Length', '5']);
  assert.equal(h.fields, '\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 5');
  assert.equal(r.body, 'hello');
});

test('every split of the input gives the same result', () => {
  const input = 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nTrailer-Field: x\r\n\r\n';
  for (const split of [1, 2, 3, 7, 1000]) {
    const r = read('GET', input, { split });
    assert.equal(r.done, true, `split ${split}`);
    assert.equal(r.body, 'hello world', `split ${split}`);
    assert.equal(r.heads.length, 1);
    assert.equal(r.heads[0].status, 201);
    assert.equal(r.reusable, true);
  }
});

test('HEAD, 204 and 304 have no body whatever the fields say', () => {
  const head = read('HEAD', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n');
  assert.equal(head.done, true);
  assert.equal(head.reusable, true);
  assert.equal(read('GET', 'HTTP/1.1 204 No Content\r\n\r\n').done, true);
  assert.equal(read('GET', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').done, true);
});

test('no length and no chunks: the body runs until the connection closes, never reused', () => {
  const open = read('GET', 'HTTP/1.1 200 OK\r\n\r\npart one, ');
  assert.equal(open.done, false);
  const closed = read('GET', 'HTTP/1.1 200 OK\r\n\r\nall of it', { close: true });
  assert.equal(closed.done, true);
  assert.equal(closed.body, 'all of it');
  assert.equal(closed.reusable, false);
});

test('a close before the end of a counted body is not a complete response', () => {
  assert.equal(read('GET', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', { close: true }).done, false);
  assert.equal(read('GET', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n', { close: true }).done, false);
});

test('Connection: close, HTTP/1.0 and trailing bytes make the connection single-use', () => {
  assert.equal(read('GET', 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').reusable, false);
  assert.equal(read('GET', 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').reusable, false);
  assert.equal(read('GET', 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n').reusable, true);
  const extra = read('GET', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE');
  assert.equal(extra.body, 'ok');
  assert.equal(extra.reusable, false);
});

test('interim 1xx responses are skipped', () => {
  const r = read('PUT', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', { split: 5 });
  assert.equal(r.heads.length, 1);
  assert.equal(r.heads[0].status, 200);
  assert.equal(r.body, 'ok');
});

test('malformed responses are refused', () => {
  const bad = [
    'SSH-2.0-OpenSSH\r\n\r\n',
    'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n',
    'HTTP/1.1 101 Switching Protocols\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX: a\nInjected: b\r\n\r\n',
    'HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n',
  ];
  for (const input of bad) assert.throws(() => read('GET', input), UpstreamProtocolError, JSON.stringify(input));
  assert.throws(() => read('GET', `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`), UpstreamProtocolError);
});
