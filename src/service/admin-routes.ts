// The admin API (bearer token) and page (cookie): list sessions, drain, cull now, resize.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { adminCookie, isAdmin } from './admin-auth.js';
import { sessionView, type ServiceCore } from './core.js';
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
  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    if (isAdmin(req.headers, core.adminToken)) return;
    if (req.url.startsWith('/admin/api/')) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'admin token required', hint: 'send Authorization: Bearer TOKEN' });
    }
    return reply.code(401).type(HTML).send(adminLoginPage());
  };

  app.post<{ Body: Body }>('/admin/login', async (req, reply) => {
    const token = String(req.body?.token ?? '');
    if (!isAdmin({ authorization: `Bearer ${token}` }, core.adminToken)) return reply.code(401).type(HTML).send(adminLoginPage('That token is not right.'));
    return reply.header('set-cookie', adminCookie(token, req.protocol === 'https')).redirect('/admin', 303);
  });

  app.register(async (scoped) => {
    scoped.addHook('onRequest', guard);
    scoped.get('/admin', async (_req, reply) =>
      reply.type(HTML).header('cache-control', 'no-store').send(adminPage(core.pool.counts(), core.store.list(), Date.now(), core.pool.lastError)),
    );
    scoped.post<{ Body: Body }>('/admin/drain', async (req, reply) => {
      await core.pool.setDraining(String(req.body?.drain ?? 'true') !== 'false');
      return reply.redirect('/admin', 303);
    });
    scoped.post<{ Body: Body }>('/admin/cull', async (req, reply) => {
      await core.cullNow(req.body?.route ? [String(req.body.route)] : undefined);
      return reply.redirect('/admin', 303);
    });
    scoped.post<{ Body: Body }>('/admin/pool', async (req, reply) => {
      const size = sizeFrom(req.body, core);
      if (typeof size === 'number') await core.pool.resize(size);
      return reply.redirect('/admin', 303);
    });

    scoped.get('/admin/api/sessions', async () => ({ pool: core.pool.counts(), sessions: core.store.list().map((s) => sessionView(core, s)) }));
    scoped.post<{ Body: Body }>('/admin/api/drain', async (req) => {
      await core.pool.setDraining(req.body?.drain !== false);
      return { pool: core.pool.counts() };
    });
    scoped.post<{ Body: Body }>('/admin/api/cull', async (req) => {
      const routes = Array.isArray(req.body?.routes) ? (req.body.routes as unknown[]).map(String) : undefined;
      return core.cullNow(routes);
    });
    scoped.delete<{ Params: { route: string } }>('/admin/api/sessions/:route', async (req, reply) => {
      const r = await core.cullNow([req.params.route]);
      return r.culled.length ? r : reply.code(404).send({ error: `no session ${req.params.route}` });
    });
    scoped.post<{ Body: Body }>('/admin/api/pool', async (req, reply) => {
      const size = sizeFrom(req.body, core);
      if (typeof size === 'string') return reply.code(400).send({ error: size });
      await core.pool.resize(size);
      return { pool: core.pool.counts() };
    });
  });
}
