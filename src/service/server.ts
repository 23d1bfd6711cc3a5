// The HTTP server: visitor paths go straight to the proxy (no framework in the hot path,
// no body parsing); everything else is a fastify route.
import http from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { adminRoutes } from './admin-routes.js';
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
      return server;
    },
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  visitorRoutes(app, core);
  adminRoutes(app, core);
  return app;
}
