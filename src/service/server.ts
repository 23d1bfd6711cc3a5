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
import { hostProblem } from './proxy/request-headers.js';
import { visitorRoutes } from './visitor-routes.js';

export function buildServer(core: ServiceCore, proxy: Proxy): FastifyInstance {
  const app = Fastify({
    logger: false,
    trustProxy: fastifyTrust(core.spec.listen.trustedProxies),
    serverFactory: (handler) => {
      const server = http.createServer(proxy.serverOptions, (req, res) => {
        const bad = hostProblem(req.rawHeaders, req.httpVersion);
        if (bad) {
          res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(`Bad request: ${bad}\n`);
          return;
        }
        if (!proxy.web(req, res)) handler(req, res);
      });
      server.on('upgrade', (req, socket, head) => {
        if (hostProblem(req.rawHeaders, req.httpVersion)) {
          socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        proxy.upgrade(req, socket, head);
      });
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

