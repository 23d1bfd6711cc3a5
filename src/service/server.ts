// The visitors' HTTP server (the admin has its own: admin-server.ts): visitor paths go straight
// to the proxy (no framework in the hot path, no body parsing); everything else is a fastify
// route. The proxy sets the server's timeouts and connection caps. The service's own routes see
// a visitor's address and scheme (rate limit, per-address cap, Secure cookie) through
// X-Forwarded-* only when the peer is in listen.trusted-proxies, as the proxy does.
import http from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServiceCore } from './core.js';
import type { Proxy } from './proxy/index.js';
import { fastifyTrust } from './proxy/trusted.js';
import { visitorRoutes } from './visitor-routes.js';

export function buildServer(core: ServiceCore, proxy: Proxy): FastifyInstance {
  const app = Fastify({
    logger: false,
    trustProxy: fastifyTrust(core.spec.listen.trustedProxies),
    serverFactory: (handler) => {
      const server = http.createServer(proxy.serverOptions, (req, res) => {
        if (!proxy.web(req, res)) handler(req, res);
      });
      server.on('upgrade', (req, socket, head) => proxy.upgrade(req, socket, head));
      proxy.attach(server);
      return server;
    },
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  visitorRoutes(app, core);
  return app;
}

