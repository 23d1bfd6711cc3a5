// The admin's own HTTP server on its own address and port (`admin.listen`), so no visitor's
// notebook shares an origin with the admin page, its API or /metrics.
import Fastify, { type FastifyInstance } from 'fastify';
import { adminRoutes } from './admin-routes.js';
import type { ServiceCore } from './core.js';

export function buildAdminServer(core: ServiceCore): FastifyInstance {
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  adminRoutes(app, core);
  return app;
}
