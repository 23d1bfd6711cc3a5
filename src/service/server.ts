// The visitors' HTTP server (the admin has its own: admin-server.ts): visitor paths go straight to the proxy (no framework in the hot path,
// no body parsing); everything else is a fastify route. Each new connection goes first to
// the proxy's fast lane, which hands it to node's http server (and so to all of the above)
// unless it carries only requests the lane forwards itself.
import http from 'node:http';
import type net from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServiceCore } from './core.js';
import type { Proxy } from './proxy.js';
import { visitorRoutes } from './visitor-routes.js';

export function buildServer(core: ServiceCore, proxy: Proxy): FastifyInstance {
  const app = Fastify({
    logger: false,
    serverFactory: (handler) => {
      const server = http.createServer((req, res) => {
        if (!proxy.web(req, res)) handler(req, res);
      });
      server.on('upgrade', (req, socket, head) => proxy.upgrade(req, socket, head));
      laneFirst(server, proxy);
      return server;
    },
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  visitorRoutes(app, core);
  return app;
}

/** New connections to the proxy's fast lane first; node's own connection handling when it lets go. */
export function laneFirst(server: http.Server, proxy: Pick<Proxy, 'connection'>): void {
  const node = server.listeners('connection') as ((socket: net.Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: net.Socket) =>
    proxy.connection(
      socket,
      () => {
        for (const listener of node) listener.call(server, socket);
      },
      server.keepAliveTimeout,
    ),
  );
}
