// The proxy in front of a stand-in notebook server (no engine): the redirect, the 404/410
// pages, activity, metrics, the 502 page, and a WebSocket through it.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { serviceMetrics } from '../../src/service/metrics.js';
import { createProxy } from '../../src/service/proxy.js';
import type { Session } from '../../src/service/session.js';
import { MemoryStore } from '../../src/service/store.js';

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

async function fixture(t: TestContext, upstreamPort?: number) {
  const notebook = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: req.url, host: req.headers.host })));
  const wss = new WebSocketServer({ server: notebook });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo ${m}`)));
  const port = upstreamPort ?? (await listen(t, notebook));
  const store = new MemoryStore();
  const session: Session = { route: ROUTE, token: 't', containerId: 'c', containerName: 'n', target: { host: '127.0.0.1', port }, hostPort: port, state: 'assigned', createdAt: 0, lastActivity: 0 };
  store.set(session);
  const metrics = serviceMetrics();
  const proxy = createProxy({ store, metrics, ended: (r) => (r === ENDED ? { reason: 'idle', at: 0 } : undefined) });
  const server = http.createServer((req, res) => {
    if (!proxy.web(req, res)) res.writeHead(418).end();
  });
  server.on('upgrade', (req, socket, head) => proxy.upgrade(req, socket, head));
  const front = await listen(t, server);
  t.after(() => {
    proxy.close();
    wss.close();
  });
  return { url: `http://127.0.0.1:${front}`, session, metrics };
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
  assert.deepEqual(await res.json(), { url: `/user/${ROUTE}/api/status?token=t`, host: new URL(f.url).host });
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
