// POST /spawn, the "Start my notebook" button, with the limits a service facing strangers
// needs: same-site posts only (scripts without Origin/Sec-Fetch-Site are fine), a rate limit
// per address (@fastify/rate-limit), one live notebook or place in line per browser (a cookie
// scoped to /spawn, so no notebook ever sees it), an optional cap per address, and a bounded
// waiting line.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { parse as parseCookies } from 'cookie';
import { sessionUrl, type ServiceCore } from './core.js';
import { closedPage, fullPage, refusedPage } from './pages/visitor.js';

const HTML = 'text/html; charset=utf-8';
export const VISITOR_COOKIE = 'tcs_visitor';
const RETRY_AFTER_S = 120;

/** A post from another site (or an opaque origin) — never from a page of this service. */
export function crossSite(headers: FastifyRequest['headers']): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = headers.origin;
  if (origin === undefined) return false;
  try {
    return typeof headers.host !== 'string' || new URL(origin).host !== headers.host.toLowerCase();
  } catch {
    return true;
  }
}

function browserId(req: FastifyRequest): string | undefined {
  const raw = req.headers.cookie;
  if (typeof raw !== 'string') return undefined;
  try {
    const v = parseCookies(raw)[VISITOR_COOKIE];
    return v && /^[0-9a-f]{32}$/.test(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export async function spawnRoutes(app: FastifyInstance, core: ServiceCore): Promise<void> {
  await app.register(rateLimit, { global: false });
  const limit = {
    max: core.spec.pool.startsPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req: FastifyRequest) => req.ip,
    errorResponseBuilder: (_req: FastifyRequest, ctx: { after: string }) => ({
      statusCode: 429,
      error: 'too many starts from your address',
      hint: `try again in ${ctx.after}`,
    }),
  };

  app.post('/spawn', { config: { rateLimit: limit } }, async (req, reply) => {
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    const refuse = (code: number, error: string, title: string, text: string) =>
      wantsJson ? reply.code(code).send({ error, hint: text }) : reply.code(code).type(HTML).send(refusedPage(title, text));

    if (crossSite(req.headers)) return refuse(403, 'cross-site start refused', 'Start from this site', 'Notebooks start from this service\'s own page; a form on another site cannot start one.');
    if (core.pool.counts().draining) {
      return wantsJson ? reply.code(503).send({ error: 'not accepting new visitors' }) : reply.code(503).type(HTML).send(closedPage());
    }

    let browser = browserId(req);
    if (!browser) {
      browser = randomBytes(16).toString('hex');
      reply.header('set-cookie', `${VISITOR_COOKIE}=${browser}; Path=/spawn; HttpOnly; SameSite=Lax${req.protocol === 'https' ? '; Secure' : ''}`);
    }

    // One per browser: a second Start returns what this browser already has. The notebook's
    // URL comes without its token (the browser holds Jupyter's own cookie since its first visit).
    const held = core.holdings.of(browser);
    if (held?.route !== undefined) {
      const url = `/user/${held.route}/${core.landing()}`;
      return wantsJson ? reply.send({ url, route: held.route, existing: true }) : reply.redirect(url, 303);
    }
    if (held?.ticket !== undefined) {
      const position = core.pool.queue.peek(held.ticket);
      return wantsJson
        ? reply.code(202).send({ ticket: held.ticket, position: position && 'waiting' in position ? position.waiting : 0, wait: `/wait/${held.ticket}`, existing: true })
        : reply.redirect(`/wait/${held.ticket}`, 303);
    }

    const cap = core.spec.pool.perAddress;
    if (cap !== undefined && core.holdings.countAt(req.ip) >= cap) {
      return refuse(429, `this address already holds ${cap} notebook(s)`, 'Enough notebooks from here', `Your network address already holds ${cap} notebook${cap === 1 ? '' : 's'}; close one, or ask the organisers.`);
    }

    const s = await core.pool.take();
    if (s) {
      core.holdings.record(browser, req.ip, { route: s.route });
      const url = sessionUrl(core, s);
      return wantsJson ? reply.send({ url, route: s.route }) : reply.redirect(url, 303);
    }
    if (core.pool.queue.length >= core.spec.pool.queue) {
      reply.code(503).header('retry-after', String(RETRY_AFTER_S));
      return wantsJson ? reply.send({ error: 'full: every notebook is in use and the waiting line is full', retryAfter: RETRY_AFTER_S }) : reply.type(HTML).send(fullPage());
    }
    const t = core.pool.queue.add();
    core.holdings.record(browser, req.ip, { ticket: t.id });
    core.pool.fill();
    return wantsJson ? reply.code(202).send({ ticket: t.id, position: t.position, wait: `/wait/${t.id}` }) : reply.redirect(`/wait/${t.id}`, 303);
  });
}

