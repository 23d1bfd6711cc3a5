// The proxy in front of a stand-in notebook server (no engine), wired as the service wires
// it (fast lane first): the redirect, the 404/410 pages, activity, metrics, the 502 page, a
// WebSocket, and connections moving from the fast lane to node's http server.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { serviceMetrics } from '../../../src/service/metrics.js';
import { createProxy } from '../../../src/service/proxy.js';
import { laneFirst } from '../../../src/service/server.js';
import type { Session } from '../../../src/service/session.js';
import { MemoryStore } from '../../../src/service/store.js';

const ROUTE = 'a'.repeat(32);
const ENDED = 'e'.repeat(32);

async function listen(t: TestContext, server: http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return (server.address() as AddressInfo).port;
}

let closedUpstream = false;

/** A store that hands out copies, as one kept outside the process would: activity must go through touch. */
class CopyingStore extends MemoryStore {
  override get(route: string): Session | undefined {
    const s = super.get(route);
    return s && { ...s, target: { ...s.target } };
  }
}

async function fixture(t: TestContext, upstreamPort?: number) {
  const notebook = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      if (req.url!.endsWith('/hop')) {
        res.writeHead(200, { connection: 'keep-alive, X-Private', 'x-private': 'hop', 'keep-alive': 'timeout=1', 'content-length': '2' }).end('ok');
        return;
      }
      if (req.url!.endsWith('/slow')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first');
        req.socket.once('close', () => (closedUpstream = true));
        return;
      }
      if (req.url!.endsWith('/chunked')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('one,');
        setTimeout(() => res.end('two'), 10);
        return;
      }
      const body = Buffer.concat(parts).toString();
      res.writeHead(200, { 'content-type': 'application/json', 'x-seen-forwarded-for': String(req.headers['x-forwarded-for']) });
      res.end(JSON.stringify({ method: req.method, url: req.url, host: req.headers.host, body }));
    });
  });
  const wss = new WebSocketServer({ server: notebook });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo ${m}`)));
  const port = upstreamPort ?? (await listen(t, notebook));
  const store = new CopyingStore();
  const session: Session = { route: ROUTE, token: 't', containerId: 'c', containerName: 'n', target: { host: '127.0.0.1', port }, hostPort: port, state: 'assigned', createdAt: 0, lastActivity: 0 };
  store.set(session);
  const metrics = serviceMetrics();
  const proxy = createProxy({ store, metrics, ended: (r) => (r === ENDED ? { reason: 'idle', at: 0 } : undefined) });
  // As the service does: the proxy first (the lane ends its idle connections), then the server.
  t.after(() => {
    proxy.close();
    wss.close();
  });
  const seenByNode: string[] = [];
  const server = http.createServer((req, res) => {
    seenByNode.push(`${req.method} ${req.url}`);
    if (!proxy.web(req, res)) res.writeHead(418).end('not a visitor path');
  });
  server.on('upgrade', (req, socket, head) => proxy.upgrade(req, socket, head));
  laneFirst(server, proxy);
  const front = await listen(t, server);
  return { url: `http://127.0.0.1:${front}`, port: front, session, metrics, seenByNode, proxy };
}

test('visitor paths: redirect to the slash, pages for unknown and ended routes, the rest proxied', async (t) => {
  const f = await fixture(t);
  const bare = await fetch(`${f.url}/user/${ROUTE}?token=t`, { redirect: 'manual' });
  assert.equal(bare.status, 302);
  assert.equal(bare.headers.get('location'), `/user/${ROUTE}/?token=t`);
  const unknown = await fetch(`${f.url}/user/${'0'.repeat(32)}/tree`);
  assert.equal(unknown.status, 404);
  assert.match(await unknown.text(), /No notebook here/);
  const ended = await fetch(`${f.url}/user/${ENDED}/tree`);
  assert.equal(ended.status, 410);
  assert.equal(ended.headers.get('cache-control'), 'no-store');
  assert.equal((await fetch(`${f.url}/health`)).status, 418, 'not a visitor path: left to the routes');

  const before = Date.now();
  const res = await fetch(`${f.url}/user/${ROUTE}/api/status?token=t`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { method: 'GET', url: `/user/${ROUTE}/api/status?token=t`, host: new URL(f.url).host, body: '' });
  assert.equal(res.headers.get('x-seen-forwarded-for'), '127.0.0.1');
  assert.ok(f.session.lastActivity >= before, 'a request is activity');
  assert.match(f.metrics.registry.render(), /^transferctl_serve_proxy_requests_total\{kind="http"\} 1$/m);
});

test('a notebook server that does not answer: the 502 page, counted', async (t) => {
  const probe = http.createServer();
  const port = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as AddressInfo).port)));
  await new Promise((r) => probe.close(r));
  const f = await fixture(t, port);
  const res = await fetch(`${f.url}/user/${ROUTE}/lab`);
  assert.equal(res.status, 502);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  assert.match(f.metrics.registry.render(), /^transferctl_serve_proxy_errors_total 1$/m);
});

test('WebSocket upgrades go through, and count as activity', async (t) => {
  const f = await fixture(t);
  const ws = new WebSocket(`${f.url.replace('http', 'ws')}/user/${ROUTE}/api/kernels/k/channels`);
  const reply = await new Promise<string>((resolve, reject) => {
    ws.on('open', () => ws.send('hi'));
    ws.on('message', (m) => resolve(String(m)));
    ws.on('error', reject);
  });
  ws.close();
  assert.equal(reply, 'echo hi');
  assert.ok(f.session.lastActivity > 0);
  assert.match(f.metrics.registry.render(), /^transferctl_serve_proxy_requests_total\{kind="websocket"\} 1$/m);
});

/** Raw requests on one connection; resolves with everything received once `until` matches. */
function raw(port: number, send: string[], until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (until.test(got)) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(got));
    (async () => {
      for (const part of send) {
        socket.write(part);
        await new Promise((r) => setTimeout(r, 30));
      }
    })();
  });
}

test('fast lane: body-less requests skip node\'s server; the first other request hands the connection over', async (t) => {
  const f = await fixture(t);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const get = (path: string, method = 'GET', body?: string) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; socket: unknown }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: f.port, path, method, agent, headers: body ? { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text, socket: req.socket }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const a = await get(`/user/${ROUTE}/a`);
  assert.equal(a.status, 200);
  assert.equal(JSON.parse(a.body).url, `/user/${ROUTE}/a`);
  assert.equal(a.headers.connection, 'keep-alive');
  const chunked = await get(`/user/${ROUTE}/chunked`);
  assert.equal(chunked.body, 'one,two');
  assert.equal(chunked.headers['transfer-encoding'], 'chunked');
  const head = await get(`/user/${ROUTE}/h`, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.deepEqual(f.seenByNode, [], 'all three in the lane');
  const put = await get(`/user/${ROUTE}/api/contents/x.ipynb`, 'PUT', '{"cells":[]}');
  assert.equal(put.status, 200);
  assert.equal(JSON.parse(put.body).body, '{"cells":[]}');
  const after = await get(`/user/${ROUTE}/b`);
  assert.equal(JSON.parse(after.body).url, `/user/${ROUTE}/b`);
  const health = await get('/health');
  assert.equal(health.status, 418);
  // (node's client opens a new connection after a HEAD answered without a length: the PUT's.)
  assert.equal(chunked.socket, a.socket);
  assert.equal(head.socket, a.socket);
  assert.equal(after.socket, put.socket, 'the handed-over connection goes on');
  assert.equal(health.socket, put.socket);
  assert.deepEqual(f.seenByNode, [`PUT /user/${ROUTE}/api/contents/x.ipynb`, `GET /user/${ROUTE}/b`, 'GET /health'], 'node has the connection from the PUT on');
  assert.match(f.metrics.registry.render(), /^transferctl_serve_proxy_requests_total\{kind="http"\} 5$/m);
});

test('fast lane: pipelined requests, a handover in the middle of them, Connection: close', async (t) => {
  const f = await fixture(t);
  const host = `Host: 127.0.0.1:${f.port}\r\n`;
  const two = await raw(f.port, [`GET /user/${ROUTE}/1 HTTP/1.1\r\n${host}\r\nGET /user/${ROUTE}/2 HTTP/1.1\r\n${host}\r\nPOST /user/${ROUTE}/3 HTTP/1.1\r\n${host}Content-Length: 4\r\n\r\nbody`], /"body":"body"/);
  const urls = [...two.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(urls, [`/user/${ROUTE}/1`, `/user/${ROUTE}/2`, `/user/${ROUTE}/3`]);
  assert.deepEqual(f.seenByNode, [`POST /user/${ROUTE}/3`]);
  const closing = await raw(f.port, [`GET /user/${ROUTE}/c HTTP/1.1\r\n${host}Connection: close\r\n\r\n`], /$^/);
  assert.match(closing, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(closing, /\r\nConnection: close\r\n/);
  // A head split across packets is left to node, which reads it as it always did.
  const split = await raw(f.port, [`GET /user/${ROUTE}/s HT`, `TP/1.1\r\n${host}\r\n`], /"url"/);
  assert.match(split, /"url":"\/user\/a+\/s"/);
  assert.deepEqual(f.seenByNode.slice(1), [`GET /user/${ROUTE}/s`]);
});

test('fast lane: odd requests go to node, which answers them as before', async (t) => {
  const f = await fixture(t);
  const host = `Host: 127.0.0.1:${f.port}\r\n`;
  // No slash after the route: the redirect; a bad field: node's 400.
  const redirect = await raw(f.port, [`GET /user/${ROUTE}?token=t HTTP/1.1\r\n${host}\r\n`], /\r\n\r\n/);
  assert.match(redirect, /^HTTP\/1\.1 302 /);
  const bad = await raw(f.port, [`GET /user/${ROUTE}/x HTTP/1.1\r\n${host}Bad Field: x\r\n\r\n`], /\r\n\r\n/);
  assert.match(bad, /^HTTP\/1\.1 400 /);
  const smuggle = await raw(f.port, [`GET /user/${ROUTE}/x HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`], /\r\n\r\n/);
  assert.match(smuggle, /^HTTP\/1\.1 400 /);
});

test('fast lane: a notebook that does not answer gets the 502 page, and the connection goes on', async (t) => {
  const probe = http.createServer();
  const port = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as AddressInfo).port)));
  await new Promise((r) => probe.close(r));
  const f = await fixture(t, port);
  const host = `Host: 127.0.0.1:${f.port}\r\n`;
  const got = await raw(f.port, [`GET /user/${ROUTE}/lab HTTP/1.1\r\n${host}\r\n`, `GET /health HTTP/1.1\r\n${host}\r\n`], /not a visitor path/);
  assert.match(got, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
  assert.match(got, /HTTP\/1\.1 418 /);
  assert.match(f.metrics.registry.render(), /^transferctl_serve_proxy_errors_total 1$/m);
});

test('fast lane: this hop\'s response fields stay behind; a WebSocket after lane requests; a visitor who leaves; stopping', async (t) => {
  const f = await fixture(t);
  const host = `Host: 127.0.0.1:${f.port}\r\n`;
  const hop = await raw(f.port, [`GET /user/${ROUTE}/hop HTTP/1.1\r\n${host}\r\n`], /\r\n\r\nok/);
  assert.match(hop, /^HTTP\/1\.1 200 OK\r\n/);
  assert.doesNotMatch(hop, /x-private|keep-alive: timeout/i);
  assert.match(hop, /\r\nConnection: keep-alive\r\n/);

  // The same connection: a lane request, then an upgrade (node has it from there).
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const upgraded = await raw(
    f.port,
    [`GET /user/${ROUTE}/a HTTP/1.1\r\n${host}\r\n`, `GET /user/${ROUTE}/api/kernels/k/channels HTTP/1.1\r\n${host}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`],
    /101 Switching Protocols[\s\S]*\r\n\r\n/,
  );
  assert.match(upgraded, /^HTTP\/1\.1 200 OK/);
  assert.match(upgraded, /HTTP\/1\.1 101 Switching Protocols/);

  // A visitor who goes away mid-response: the notebook's connection is dropped too.
  closedUpstream = false;
  await raw(f.port, [`GET /user/${ROUTE}/slow HTTP/1.1\r\n${host}\r\n`], /first/);
  for (let i = 0; i < 50 && !closedUpstream; i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(closedUpstream, 'the upstream connection closed');

  // Stopping: an idle lane connection is ended (nothing keeps the server from closing).
  const idle = net.connect(f.port, '127.0.0.1');
  const ended = new Promise<void>((r) => idle.once('close', () => r()));
  idle.on('data', () => {});
  idle.on('error', () => {});
  idle.write(`GET /user/${ROUTE}/a HTTP/1.1\r\n${host}\r\n`);
  await new Promise((r) => setTimeout(r, 100));
  f.proxy.close();
  await ended;
});
