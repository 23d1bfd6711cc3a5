// The admin's own HTTP server on its own address and port (`admin.listen`), so no visitor's
// notebook shares an origin with the admin page, its API or /metrics.
import Fastify, { type FastifyInstance } from 'fastify';
import { adminRoutes } from './admin-routes.js';
import type { ServiceCore } from './core.js';
import { fastifyTrust } from './proxy/trusted.js';

export function buildAdminServer(core: ServiceCore): FastifyInstance {
  // A proxy in listen.trusted-proxies may say the admin was reached over HTTPS (the cookie is
  // then Secure); X-Forwarded-* from any other peer, loopback included, is ignored.
  const app = Fastify({ logger: false, trustProxy: fastifyTrust(core.spec.listen.trustedProxies) });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  adminRoutes(app, core);
  return app;
}
