// Landing page, "Start my notebook", the waiting line and health (details and metrics are the admin's).
import type { FastifyInstance } from 'fastify';
import { sessionUrl, type ServiceCore } from './core.js';
import { landingPage, waitingPage } from './pages/visitor.js';
import { spawnRoutes } from './spawn-route.js';
import { health } from './health.js';

const HTML = 'text/html; charset=utf-8';

export function visitorRoutes(app: FastifyInstance, core: ServiceCore): void {
  app.get('/', async (_req, reply) => reply.type(HTML).header('cache-control', 'no-store').send(landingPage(core.pool.counts())));

  app.register(async (scoped) => spawnRoutes(scoped, core));

  app.get<{ Params: { ticket: string } }>('/wait/:ticket', async (req, reply) => {
    const look = core.pool.queue.look(req.params.ticket);
    if (!look) return reply.redirect('/', 303);
    if (look.route) {
      core.holdings.served(req.params.ticket, look.route);
      const s = core.store.get(look.route);
      return reply.redirect(s ? sessionUrl(core, s) : `/user/${look.route}/`, 303);
    }
    return reply.type(HTML).header('cache-control', 'no-store').send(waitingPage(req.params.ticket, look.position));
  });

  app.get<{ Params: { ticket: string } }>('/api/wait/:ticket', async (req, reply) => {
    const look = core.pool.queue.look(req.params.ticket);
    reply.header('cache-control', 'no-store');
    if (!look) return { gone: true };
    if (look.route) {
      core.holdings.served(req.params.ticket, look.route);
      const s = core.store.get(look.route);
      return { position: 0, url: s ? sessionUrl(core, s) : `/user/${look.route}/` };
    }
    return { position: look.position };
  });

  app.get('/health', async (_req, reply) => {
    const h = await health(core);
    return reply.code(h.ok ? 200 : 503).send({
      status: h.status,
      engine: h.engine,
      uptimeSeconds: Math.round((Date.now() - core.startedAt) / 1000),
      pool: core.pool.counts(),
    });
  });
}
