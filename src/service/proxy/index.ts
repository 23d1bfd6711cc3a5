// The reverse proxy for visitors' notebooks (/user/ROUTE/…; in subdomain mode on
// ROUTE.<visitors.host>): node's http server parses what visitors send, undici's Pool carries it
// to the notebook (upstream.ts), WebSockets go through http-proxy-3 (websocket.ts). Every
// request and WebSocket frame is activity, reported through RouteStore.touch.
import type http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServiceMetrics } from '../metrics.js';
import { endedPage, unknownPage, unreachablePage } from '../pages/visitor.js';
import type { Session } from '../session.js';
import type { RouteStore } from '../store.js';
import { limitConnections, serverOptions, type ConnectionLimits } from './connections.js';
import { upstreamHeaders, type Peer } from './request-headers.js';
import { downstreamHeaders } from './response-headers.js';
import { plainAddress, trustedProxies } from './trusted.js';
import { Upstream, type UpstreamTimeouts } from './upstream.js';
import { hostSuffix, parseUserPath, routeOfHost, visitorBase } from './visitor-path.js';
import { webSockets } from './websocket.js';

export { parseUserPath } from './visitor-path.js';

export interface ProxyOptions {
  /** listen.trusted-proxies: peers whose X-Forwarded-* are appended to, not replaced. */
  trustedProxies: readonly string[];
  /** visitors.host ("*.nb.example.org"): each visitor on its own subdomain; undefined: paths. */
  visitorsHost?: string;
  limits: ConnectionLimits;
  upstream: UpstreamTimeouts;
}

export interface ProxyDeps {
  store: RouteStore;
  metrics: ServiceMetrics;
  /** Why a route ended, if it did. */
  ended: (route: string) => { reason: string; at: number } | undefined;
  options: ProxyOptions;
}

export interface Proxy {
  /** Options for the visitors' http.createServer (timeouts against slow heads). */
  serverOptions: http.ServerOptions;
  /** Put the connection caps on the visitors' server. */
  attach(server: http.Server): void;
  /** Handle the request if it is for a visitor; false when it is the service's own. */
  web(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

const HTTP = { kind: 'http' };
const WEBSOCKET = { kind: 'websocket' };
const HTML = 'text/html; charset=utf-8';

export const DEFAULT_PROXY_OPTIONS: ProxyOptions = {
  trustedProxies: [],
  limits: { maxConnections: 4096, perAddress: 512, headersTimeoutMs: 15_000, requestTimeoutMs: 120_000 },
  upstream: { headMs: 60_000, idleBodyMs: 120_000, connectMs: 10_000 },
};

export function createProxy(d: ProxyDeps): Proxy {
  const o = d.options;
  const trust = trustedProxies(o.trustedProxies);
  const suffix = hostSuffix(o.visitorsHost);
  const upstream = new Upstream(o.upstream);
  const ws = webSockets(() => d.metrics.proxyErrors());

  const peerOf = (req: http.IncomingMessage): Peer => {
    const address = plainAddress(req.socket.remoteAddress ?? '');
    return { address, trusted: trust.has(address), port: req.socket.localPort ?? 0, proto: 'http' };
  };

  /** The live session a request is for, after the Host check of subdomain mode. */
  type Resolved = { kind: 'not-ours' } | { kind: 'none'; route?: string } | { kind: 'redirect'; location: string } | { kind: 'live'; session: Session; rest: string };
  const resolve = (req: http.IncomingMessage): Resolved => {
    const url = req.url ?? '/';
    const hostRoute = suffix ? routeOfHost(req.headers.host, suffix) : undefined;
    const p = parseUserPath(url);
    if (!p) return hostRoute || (suffix && url.startsWith('/user/')) ? { kind: 'none', route: hostRoute } : url.startsWith('/user/') ? { kind: 'none' } : { kind: 'not-ours' };
    const s = d.store.get(p.route);
    const session = s?.state === 'assigned' ? s : undefined;
    if (suffix && hostRoute !== p.route) {
      // On the main host (or another visitor's): send a live route to its own origin.
      if (session && !hostRoute) return { kind: 'redirect', location: `//${p.route}${suffix}${url}` };
      return { kind: 'none' };
    }
    if (!session) return { kind: 'none', route: p.route };
    if (p.rest === '') return { kind: 'redirect', location: url.replace(`/user/${p.route}`, `/user/${p.route}/`) };
    return { kind: 'live', session, rest: p.rest };
  };

  // WebSocket activity is sampled from the sockets' byte counters: a 'data' listener would put
  // the socket in flowing mode before the proxy pipes it, and lose frames.
  const sockets = new Map<net.Socket, { route: string; bytes: number }>();
  const sampler = setInterval(() => {
    const now = Date.now();
    for (const [socket, entry] of sockets) {
      if (socket.bytesRead !== entry.bytes) {
        entry.bytes = socket.bytesRead;
        d.store.touch(entry.route, now);
      }
    }
    upstream.prune((key) => d.store.list().some((s) => `${s.target.host}:${s.target.port}` === key));
  }, 1000);
  sampler.unref();

  return {
    serverOptions: serverOptions(o.limits),
    attach(server) {
      limitConnections(server, o.limits, trust);
    },
    web(req, res) {
      const r = resolve(req);
      if (r.kind === 'not-ours') return false;
      if (r.kind === 'redirect') {
        res.writeHead(302, { location: r.location, 'cache-control': 'no-store' }).end();
        return true;
      }
      if (r.kind === 'none') {
        const ended = r.route ? d.ended(r.route) : undefined;
        res.writeHead(ended ? 410 : 404, { 'content-type': HTML, 'cache-control': 'no-store' });
        res.end(ended ? endedPage(ended.reason) : unknownPage());
        return true;
      }
      const { session } = r;
      let headers: string[];
      try {
        headers = upstreamHeaders(req.rawHeaders, peerOf(req));
      } catch {
        res.writeHead(400, { connection: 'close', 'content-type': 'text/plain' }).end('Bad Request\n');
        return true;
      }
      d.store.touch(session.route, Date.now());
      d.metrics.proxied(HTTP);
      const base = `/user/${session.route}/`;
      upstream.forward(req, res, session.target, headers, (raw) => downstreamHeaders(raw, base), (why) => {
        d.metrics.proxyErrors();
        res.writeHead(why === 'timeout' ? 504 : 502, { 'content-type': HTML, 'cache-control': 'no-store' }).end(unreachablePage());
      });
      return true;
    },
    upgrade(req, socket, head) {
      const r = resolve(req);
      if (r.kind !== 'live') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      d.store.touch(r.session.route, Date.now());
      d.metrics.proxied(WEBSOCKET);
      sockets.set(socket as net.Socket, { route: r.session.route, bytes: (socket as net.Socket).bytesRead });
      socket.once('close', () => sockets.delete(socket as net.Socket));
      try {
        ws.pass(req, socket, head, r.session.target, peerOf(req));
      } catch {
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
    },
    close() {
      clearInterval(sampler);
      ws.close();
      upstream.close();
    },
  };
}
