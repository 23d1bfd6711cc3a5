// The proxy's own HTTP forwarding, against real local servers: fields both ways, bodies both
// ways (counted, chunked, until close, large), HEAD, keep-alive reuse and its retry, failures.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { forward } from '../../../src/service/forward.js';
import { UpstreamSockets, type Target } from '../../../src/service/upstream-sockets.js';

/** Listen on a free port; after the test, end its connections and close it. */
async function listen(t: TestContext, server: net.Server): Promise<number> {
  const open = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const s of open) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return (server.address() as AddressInfo).port;
}

/** A front server that forwards everything to `target`; failures answer 502 (or cut the response). */
async function front(t: TestContext, target: Target): Promise<{ port: number; failures: Error[] }> {
  const sockets = new UpstreamSockets();
  const failures: Error[] = [];
  const server = http.createServer((req, res) =>
    forward(req, res, target, sockets, (err, r) => {
      failures.push(err);
      if (r.headersSent) r.destroy();
      else r.writeHead(502).end('unreachable');
    }),
  );
  const port = await listen(t, server);
  t.after(() => sockets.close());
  return { port, failures };
}

interface Got {
  status: number;
  message: string;
  headers: http.IncomingHttpHeaders;
  raw: string[];
  body: Buffer;
}

function request(port: number, opts: http.RequestOptions & { body?: Buffer | Buffer[] }, agent: http.Agent | false = false): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, agent, ...opts }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, message: res.statusMessage!, headers: res.headers, raw: res.rawHeaders, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (Array.isArray(opts.body)) for (const b of opts.body) req.write(b);
    else if (opts.body) req.write(opts.body);
    req.end();
  });
}

/** An upstream node server recording what it was sent. */
async function upstream(t: TestContext, handle: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void) {
  const seen: { method: string; url: string; raw: string[]; headers: http.IncomingHttpHeaders; body: Buffer; remotePort: number }[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      seen.push({ method: req.method!, url: req.url!, raw: req.rawHeaders, headers: req.headers, body, remotePort: req.socket.remotePort! });
      handle(req, res, body);
    });
  });
  const port = await listen(t, server);
  return { target: { host: '127.0.0.1', port }, seen };
}

test('GET: the visitor\'s fields go on (Host kept, X-Forwarded-* added, hop-by-hop dropped), the response comes back as sent', async (t) => {
  const up = await upstream(t, (_req, res) => {
    res.writeHead(200, 'Fine', [['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2'], ['X-Custom', 'yes'], ['Content-Type', 'application/json']].flat());
    res.end('{"ok":true}');
  });
  const f = await front(t, up.target);
  const got = await request(f.port, { path: '/user/r/api/status?token=t', headers: { Host: 'notebooks.example:8443', Origin: 'http://notebooks.example:8443', Connection: 'keep-alive, X-Secret', 'X-Secret': 'hop', 'X-Forwarded-For': '10.1.1.1' } });
  assert.equal(got.status, 200);
  assert.equal(got.message, 'Fine');
  assert.deepEqual(got.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal(got.headers['x-custom'], 'yes');
  assert.equal(got.body.toString(), '{"ok":true}');
  const s = up.seen[0];
  assert.equal(s.url, '/user/r/api/status?token=t');
  assert.equal(s.headers.host, 'notebooks.example:8443', 'Host is the visitor\'s (changeOrigin false): Jupyter compares Origin with it');
  assert.equal(s.headers.origin, 'http://notebooks.example:8443');
  assert.equal(s.headers['x-forwarded-for'], '10.1.1.1,127.0.0.1');
  assert.equal(s.headers['x-forwarded-port'], '8443');
  assert.equal(s.headers['x-forwarded-proto'], 'http');
  assert.equal(s.headers['x-forwarded-host'], 'notebooks.example:8443');
  assert.equal(s.headers['x-secret'], undefined, 'a field named in Connection is hop-by-hop');
  assert.equal(s.headers.connection, 'keep-alive');
  assert.deepEqual(f.failures, []);
});

test('keep-alive: one upstream connection serves request after request', async (t) => {
  const up = await upstream(t, (_req, res) => res.end('x'));
  const f = await front(t, up.target);
  for (let i = 0; i < 5; i++) assert.equal((await request(f.port, { path: `/${i}` })).body.toString(), 'x');
  assert.equal(new Set(up.seen.map((s) => s.remotePort)).size, 1);
});

test('chunked and large responses arrive whole; HEAD, 204 and 304 without a body', async (t) => {
  const big = randomBytes(5 * 1024 * 1024);
  const up = await upstream(t, (req, res) => {
    if (req.url === '/chunks') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('one ');
      setTimeout(() => res.end('two'), 20);
    } else if (req.url === '/big') res.end(big);
    else if (req.url === '/head') res.writeHead(200, { 'content-length': '10' }).end();
    else if (req.url === '/204') res.writeHead(204).end();
    else res.writeHead(304, { etag: '"e"' }).end();
  });
  const f = await front(t, up.target);
  const chunks = await request(f.port, { path: '/chunks' });
  assert.equal(chunks.body.toString(), 'one two');
  assert.equal(chunks.headers['transfer-encoding'], 'chunked', 'node frames the body again on our side');
  const got = await request(f.port, { path: '/big' });
  assert.equal(createHash('sha256').update(got.body).digest('hex'), createHash('sha256').update(big).digest('hex'));
  const head = await request(f.port, { path: '/head', method: 'HEAD' });
  assert.equal(head.headers['content-length'], '10');
  assert.equal(head.body.length, 0);
  assert.equal((await request(f.port, { path: '/204' })).status, 204);
  const nm = await request(f.port, { path: '/304' });
  assert.equal(nm.status, 304);
  assert.equal(nm.headers.etag, '"e"');
  assert.equal((await request(f.port, { path: '/chunks' })).body.toString(), 'one two', 'the connection is still in step');
  assert.deepEqual(f.failures, []);
});

test('request bodies: counted (a notebook PUT), chunked, and DELETE without one', async (t) => {
  const up = await upstream(t, (_req, res, body) => res.end(createHash('sha256').update(body).digest('hex')));
  const f = await front(t, up.target);
  const notebook = Buffer.from(JSON.stringify({ cells: [{ source: 'x'.repeat(3_000_000) }] }));
  const put = await request(f.port, { method: 'PUT', path: '/api/contents/a.ipynb', headers: { 'content-type': 'application/json', 'content-length': notebook.length }, body: notebook });
  assert.equal(put.body.toString(), createHash('sha256').update(notebook).digest('hex'));
  assert.equal(up.seen[0].headers['content-length'], String(notebook.length));
  const parts = [Buffer.from('first,'), Buffer.from(''), Buffer.from('second')];
  const chunked = await request(f.port, { method: 'POST', path: '/c', headers: { 'transfer-encoding': 'chunked' }, body: parts });
  assert.equal(chunked.body.toString(), createHash('sha256').update('first,second').digest('hex'));
  assert.equal(up.seen[1].headers['transfer-encoding'], 'chunked');
  await request(f.port, { method: 'DELETE', path: '/api/sessions/1' });
  assert.equal(up.seen[2].headers['content-length'], '0');
  assert.deepEqual(f.failures, []);
});

/** A raw upstream: `answer` is called for each request head, with its connection and that connection's number. */
async function rawUpstream(t: TestContext, answer: (socket: net.Socket, n: number) => void): Promise<{ target: Target; connections: () => number }> {
  let count = 0;
  const server = net.createServer((socket) => {
    const n = count++;
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        answer(socket, n);
      }
    });
    socket.on('error', () => {});
  });
  const port = await listen(t, server);
  return { target: { host: '127.0.0.1', port }, connections: () => count };
}

test('a body that runs until the upstream closes, and an interim 100 response', async (t) => {
  const up = await rawUpstream(t, (socket, n) => {
    if (n === 0) socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end');
    else socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  const f = await front(t, up.target);
  assert.equal((await request(f.port, { path: '/' })).body.toString(), 'until the end');
  assert.equal((await request(f.port, { path: '/' })).body.toString(), 'ok');
  assert.deepEqual(f.failures, []);
});

test('an idle connection the upstream dropped is replaced, once, for a request without a body', async (t) => {
  // The upstream answers the first request on each connection, and closes on the second
  // without a word: the race every keep-alive client meets.
  const answered = new Map<number, number>();
  const up = await rawUpstream(t, (socket, n) => {
    const k = (answered.get(n) ?? 0) + 1;
    answered.set(n, k);
    if (k === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    else socket.destroy();
  });
  const f = await front(t, up.target);
  for (let i = 0; i < 3; i++) assert.equal((await request(f.port, { path: '/' })).body.toString(), 'ok');
  assert.equal(up.connections(), 3);
  assert.deepEqual(f.failures, []);
  // With a body, nothing is sent twice: the visitor gets a 502.
  const post = await request(f.port, { method: 'POST', path: '/', headers: { 'content-length': 4 }, body: Buffer.from('data') });
  assert.equal(post.status, 502);
  assert.equal(f.failures.length, 1);
});

test('failures: nobody listening, garbage, a response cut short', async (t) => {
  const closed = net.createServer();
  const port = await listen(t, closed);
  await new Promise<void>((r) => closed.close(() => r()));
  const none = await front(t, { host: '127.0.0.1', port });
  assert.equal((await request(none.port, { path: '/' })).status, 502);
  assert.match(String((none.failures[0] as NodeJS.ErrnoException).code), /ECONNREFUSED/);

  const up = await rawUpstream(t, (socket, n) => {
    if (n === 0) socket.write('not http at all\r\n\r\n');
    else {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..');
      setTimeout(() => socket.destroy(), 20);
    }
  });
  const f = await front(t, up.target);
  assert.equal((await request(f.port, { path: '/' })).status, 502);
  await assert.rejects(request(f.port, { path: '/' }), /aborted|socket hang up|ECONNRESET/);
  assert.equal(f.failures.length, 2);
});

test('a visitor who goes away ends the upstream connection', async (t) => {
  let upstreamClosed!: () => void;
  const closedP = new Promise<void>((r) => (upstreamClosed = r));
  const up = await rawUpstream(t, (socket) => {
    socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    socket.on('close', upstreamClosed);
  });
  const f = await front(t, up.target);
  await new Promise<void>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: f.port, path: '/stream', agent: false }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', () => {});
    req.setTimeout(5000, () => reject(new Error('no data')));
  });
  await closedP;
  assert.deepEqual(f.failures, []);
});
