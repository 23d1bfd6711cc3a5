// The reverse proxy for /user/ROUTE/…: HTTP and WebSocket, by path, to each visitor's
// container (see target.ts). Every request and WebSocket frame counts as activity.
// Requests without a body on connections that carry only such go through the fast lane
// (fast-lane.ts: read and answered on the socket, node's http server not involved); other HTTP
// requests through node's server and our own lean client (forward.ts); both on kept-alive
// connections to the notebooks (exchange.ts). WebSocket upgrades, long-lived and few, go
// through http-proxy-3.
import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import { FastLane } from './fast-lane.js';
import { forward, type ForwardFailed } from './forward.js';
import type { ServiceMetrics } from './metrics.js';
import { endedPage, unknownPage, unreachablePage } from './pages/visitor.js';
import type { Session } from './session.js';
import type { RouteStore } from './store.js';
import { UpstreamSockets } from './upstream-sockets.js';

export interface ProxyDeps {
  store: RouteStore;
  metrics: ServiceMetrics;
  /** Why a route ended, if it did. */
  ended: (route: string) => { reason: string; at: number } | undefined;
}

export interface Proxy {
  /** Handle the request if it is for a visitor path; false when it is not. */
  web(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  /** A new connection: the fast lane takes it, and gives it to node (`toNode`) when it must. */
  connection(socket: net.Socket, toNode: () => void, keepAliveMs: number): void;
  close(): void;
}

const HTTP = { kind: 'http' };
const WEBSOCKET = { kind: 'websocket' };
const USER_PATH = /^\/user\/([0-9a-f]{32})(\/[^?]*)?(\?.*)?$/;

export function parseUserPath(url: string): { route: string; rest: string } | undefined {
  const m = USER_PATH.exec(url);
  return m ? { route: m[1], rest: m[2] ?? '' } : undefined;
}

export function createProxy(d: ProxyDeps): Proxy {
  const upstream = new UpstreamSockets();
  const failed: ForwardFailed = (_err, res) => {
    d.metrics.proxyErrors();
    if (res.headersSent) res.destroy(); // part of a response went out: cut it short, visibly
    else res.writeHead(502, { 'content-type': 'text/html; charset=utf-8' }).end(unreachablePage());
  };
  // WebSocket upgrades: our own keep-alive agent (never http.globalAgent).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const proxy = createProxyServer({ xfwd: true, agent, ws: true });
  proxy.on('error', (_err, _req, socket) => {
    d.metrics.proxyErrors();
    (socket as Duplex | undefined)?.destroy?.();
  });

  const sockets = new Map<net.Socket, { session: Session; bytes: number }>();
  const sampler = setInterval(() => {
    const now = Date.now();
    for (const [socket, entry] of sockets) {
      if (socket.bytesRead !== entry.bytes) {
        entry.bytes = socket.bytesRead;
        d.store.touch(entry.session.route, now);
      }
    }
  }, 1000);
  sampler.unref();

  const live = (url: string): { session?: Session; route?: string; rest?: string } => {
    const p = parseUserPath(url);
    if (!p) return {};
    const s = d.store.get(p.route);
    return { session: s?.state === 'assigned' ? s : undefined, route: p.route, rest: p.rest };
  };

  let keepAliveMs = 5000;
  const lane = new FastLane({
    sockets: upstream,
    keepAliveMs: () => keepAliveMs,
    // Only what proxy.web would forward: a live session, a path below /user/ROUTE/.
    route(url) {
      const { session, rest } = live(url);
      if (!session || rest === '') return undefined;
      d.store.touch(session.route, Date.now());
      d.metrics.proxied(HTTP);
      return session.target;
    },
    unreachable() {
      d.metrics.proxyErrors();
      return unreachablePage();
    },
  });

  return {
    web(req, res) {
      const url = req.url ?? '/';
      if (!url.startsWith('/user/')) return false;
      const { session, route, rest } = live(url);
      if (session && rest === '') {
        res.writeHead(302, { location: url.replace(`/user/${route}`, `/user/${route}/`) }).end();
        return true;
      }
      if (!session) {
        const ended = route ? d.ended(route) : undefined;
        res.writeHead(ended ? 410 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(ended ? endedPage(ended.reason) : unknownPage());
        return true;
      }
      d.store.touch(session.route, Date.now());
      d.metrics.proxied(HTTP);
      forward(req, res, session.target, upstream, failed);
      return true;
    },
    upgrade(req, socket, head) {
      const { session } = live(req.url ?? '/');
      if (!session) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      d.store.touch(session.route, Date.now());
      d.metrics.proxied(WEBSOCKET);
      // Activity on the socket is sampled from its byte counter: a 'data' listener here would
      // put the socket in flowing mode before the proxy pipes it, and lose frames.
      sockets.set(socket as net.Socket, { session, bytes: (socket as net.Socket).bytesRead });
      socket.once('close', () => sockets.delete(socket as net.Socket));
      proxy.ws(req, socket, head, { target: { host: session.target.host, port: session.target.port } });
    },
    connection(socket, toNode, ms) {
      keepAliveMs = ms;
      lane.take(socket, toNode);
    },
    close() {
      lane.close();
      clearInterval(sampler);
      proxy.close();
      agent.destroy();
      upstream.close();
    },
  };
}
