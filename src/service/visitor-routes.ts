// Landing page, "Start my notebook", the waiting line and health (metrics are the admin's).
import type { FastifyInstance } from 'fastify';
import { sessionUrl, type ServiceCore } from './core.js';
import { closedPage, landingPage, waitingPage } from './pages/visitor.js';

const HTML = 'text/html; charset=utf-8';

export function visitorRoutes(app: FastifyInstance, core: ServiceCore): void {
  app.get('/', async (_req, reply) => reply.type(HTML).header('cache-control', 'no-store').send(landingPage(core.pool.counts())));

  app.post('/spawn', async (req, reply) => {
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    if (core.pool.counts().draining) {
      return wantsJson ? reply.code(503).send({ error: 'not accepting new visitors' }) : reply.code(503).type(HTML).send(closedPage());
    }
    const s = await core.pool.take();
    if (s) {
      const url = sessionUrl(core, s);
      return wantsJson ? reply.send({ url, route: s.route }) : reply.redirect(url, 303);
    }
    const t = core.pool.queue.add();
    core.pool.fill();
    const position = core.pool.queue.look(t.id)?.position ?? 1;
    return wantsJson ? reply.code(202).send({ ticket: t.id, position, wait: `/wait/${t.id}` }) : reply.redirect(`/wait/${t.id}`, 303);
  });

  app.get<{ Params: { ticket: string } }>('/wait/:ticket', async (req, reply) => {
    const look = core.pool.queue.look(req.params.ticket);
    if (!look) return reply.redirect('/', 303);
    if (look.route) {
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
      const s = core.store.get(look.route);
      return { position: 0, url: s ? sessionUrl(core, s) : `/user/${look.route}/` };
    }
    return { position: look.position };
  });

  app.get('/health', async (_req, reply) => {
    const engine = await core.engineOk();
    const c = core.pool.counts();
    return reply.code(engine ? 200 : 503).send({
      status: engine ? 'ok' : 'engine unreachable',
      engine,
      uptimeSeconds: Math.round((Date.now() - core.startedAt) / 1000),
      pool: c,
      lastSpawnError: core.pool.lastError ?? null,
    });
  });
}
