// The admin's own HTTP server on its own address and port (`admin.listen`), so no visitor's
// notebook shares an origin with the admin page, its API or /metrics.
import Fastify, { type FastifyInstance } from 'fastify';
import { adminRoutes } from './admin-routes.js';
import type { ServiceCore } from './core.js';
import { fastifyTrust } from './proxy/trusted.js';
import { hostProblem } from './proxy/request-headers.js';

export function buildAdminServer(core: ServiceCore): FastifyInstance {
  // A proxy in listen.trusted-proxies may say the admin was reached over HTTPS (the cookie is
  // then Secure); X-Forwarded-* from any other peer, loopback included, is ignored.
  const app = Fastify({ logger: false, trustProxy: fastifyTrust(core.spec.listen.trustedProxies) });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  // Its Origin/CSRF checks compare against Host: a request with two Host fields is refused.
  app.addHook('onRequest', async (req, reply) => {
    const bad = hostProblem(req.raw.rawHeaders, req.raw.httpVersion);
    if (bad) return reply.code(400).type('text/plain; charset=utf-8').send(`Bad request: ${bad}\n`);
  });
  adminRoutes(app, core);
  return app;
}
