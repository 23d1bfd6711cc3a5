// WebSocket upgrades (kernels' channels, terminals): long-lived and few, through http-proxy-3
// with our own keep-alive agent (never http.globalAgent). X-Forwarded-* are set by the same
// rules as for HTTP (request-headers.ts), on the request before it is sent on.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import { upstreamHeaders, type Peer } from './request-headers.js';
import type { Target } from './upstream.js';

export interface WebSockets {
  pass(req: http.IncomingMessage, socket: Duplex, head: Buffer, target: Target, peer: Peer): void;
  close(): void;
}

export function webSockets(onError: () => void): WebSockets {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const proxy = createProxyServer({ xfwd: false, agent, ws: true });
  proxy.on('error', (_err, _req, socket) => {
    onError();
    (socket as Duplex | undefined)?.destroy?.();
  });
  return {
    pass(req, socket, head, target, peer) {
      // The upgrade's own Connection/Upgrade fields are http-proxy-3's to send; the rest as for HTTP.
      const fields = upstreamHeaders(req.rawHeaders, peer);
      for (const name of Object.keys(req.headers)) {
        if (name !== 'connection' && name !== 'upgrade') delete req.headers[name];
      }
      for (let i = 0; i < fields.length; i += 2) req.headers[fields[i].toLowerCase()] = fields[i + 1];
      proxy.ws(req, socket, head, { target: { host: target.host, port: target.port } });
    },
    close() {
      proxy.close();
      agent.destroy();
    },
  };
}
