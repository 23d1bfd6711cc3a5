// The admin API (bearer token only) and page (signed session cookie; forms carry a CSRF token
// and must come from the admin's own origin): list sessions, drain, cull now, resize, metrics.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AdminSessions, adminCookie, bearerOk, sameOrigin, tokenOk } from './admin-auth.js';
import { sessionView, type ServiceCore } from './core.js';
import { health } from './health.js';
import { adminLoginPage, adminPage } from './pages/admin.js';

const HTML = 'text/html; charset=utf-8';
type Body = Record<string, unknown> | undefined;

function sizeFrom(body: Body, core: ServiceCore): number | string {
  const n = Number(body?.size);
  if (!Number.isInteger(n) || n < 0) return 'size must be a whole number, 0 or more';
  if (n > core.spec.pool.capacity) return `size ${n} is larger than the capacity (${core.spec.pool.capacity})`;
  return n;
}

export function adminRoutes(app: FastifyInstance, core: ServiceCore): void {
  const sessions = new AdminSessions(core.adminToken);
  const nonces = new WeakMap<FastifyRequest, string>();

  app.get('/', async (_req, reply) => reply.redirect('/admin', 303));

  app.post<{ Body: Body }>('/admin/login', async (req, reply) => {
    if (!sameOrigin(req.headers)) return reply.code(403).type(HTML).send(adminLoginPage('Sign in from this page.'));
    if (!tokenOk(String(req.body?.token ?? ''), core.adminToken)) return reply.code(401).type(HTML).send(adminLoginPage('That token is not right.'));
    return reply.header('set-cookie', adminCookie(sessions.issue(), req.protocol === 'https')).redirect('/admin', 303);
  });

  // The page and its forms: a signed session cookie; posts need the CSRF token and our origin.
  app.register(async (page) => {
    page.addHook('preHandler', async (req: FastifyRequest<{ Body: Body }>, reply: FastifyReply) => {
      const nonce = sessions.fromHeaders(req.headers);
      if (!nonce) return reply.code(401).type(HTML).send(adminLoginPage());
      if (req.method === 'POST' && (!sameOrigin(req.headers) || !sessions.csrfOk(nonce, req.body?.csrf))) {
        return reply.code(403).type(HTML).send(adminLoginPage('That form did not come from this admin page; reload it and try again.'));
      }
      nonces.set(req, nonce);
    });
    page.get('/admin', async (req, reply) =>
      reply
        .type(HTML)
        .header('cache-control', 'no-store')
        .send(adminPage(core.pool.counts(), core.store.list(), Date.now(), sessions.csrf(nonces.get(req)!), core.pool.lastError)),
    );
    page.post<{ Body: Body }>('/admin/drain', async (req, reply) => {
      await core.pool.setDraining(String(req.body?.drain ?? 'true') !== 'false');
      return reply.redirect('/admin', 303);
    });
    page.post<{ Body: Body }>('/admin/cull', async (req, reply) => {
      await core.cullNow(req.body?.route ? [String(req.body.route)] : undefined);
      return reply.redirect('/admin', 303);
    });
    page.post<{ Body: Body }>('/admin/pool', async (req, reply) => {
      const size = sizeFrom(req.body, core);
      if (typeof size === 'number') await core.pool.resize(size);
      return reply.redirect('/admin', 303);
    });
  });

  // The API and metrics: the bearer token, nothing else (a cookie never opens them).
  app.register(async (api) => {
    api.addHook('onRequest', async (req, reply) => {
      if (bearerOk(req.headers, core.adminToken)) return;
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'admin token required', hint: 'send Authorization: Bearer TOKEN' });
    });
    api.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(core.metrics.registry.render()));
    api.get('/admin/api/health', async (_req, reply) => {
      const h = await health(core);
      return reply.code(h.ok ? 200 : 503).send({ ...h, pool: core.pool.counts() });
    });
    api.get('/admin/api/sessions', async () => ({
      pool: core.pool.counts(),
      sessions: core.store.list().map((s) => sessionView(core, s)),
      nodes: core.nodes ? await core.nodes() : undefined,
    }));
    api.post<{ Body: Body }>('/admin/api/drain', async (req) => {
      await core.pool.setDraining(req.body?.drain !== false);
      return { pool: core.pool.counts() };
    });
    api.post<{ Body: Body }>('/admin/api/cull', async (req) => {
      const routes = Array.isArray(req.body?.routes) ? (req.body.routes as unknown[]).map(String) : undefined;
      return core.cullNow(routes);
    });
    api.delete<{ Params: { route: string } }>('/admin/api/sessions/:route', async (req, reply) => {
      const r = await core.cullNow([req.params.route]);
      return r.culled.length ? r : reply.code(404).send({ error: `no session ${req.params.route}` });
    });
    api.post<{ Body: Body }>('/admin/api/pool', async (req, reply) => {
      const size = sizeFrom(req.body, core);
      if (typeof size === 'string') return reply.code(400).send({ error: size });
      await core.pool.resize(size);
      return { pool: core.pool.counts() };
    });
  });
}
