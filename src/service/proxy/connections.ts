// Limits on the visitors' listener: slow request heads and bodies are cut off
// (headersTimeout/requestTimeout), and connections are capped in all (maxConnections) and per
// address (trusted proxies, which carry many visitors, count only toward the total).
import type http from 'node:http';
import type net from 'node:net';
import { plainAddress, type Trust } from './trusted.js';

export interface ConnectionLimits {
  maxConnections: number;
  perAddress: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

/** Options for http.createServer. */
export function serverOptions(l: ConnectionLimits): http.ServerOptions {
  // connectionsCheckingInterval: how often node looks for heads and requests past their time.
  return { headersTimeout: l.headersTimeoutMs, requestTimeout: l.requestTimeoutMs, connectionsCheckingInterval: 1000, requireHostHeader: true };
}

/** Cap connections on a server; node's own accounting for the total, a count per address for the rest. */
export function limitConnections(server: http.Server, l: ConnectionLimits, trust: Trust): void {
  server.maxConnections = l.maxConnections;
  const open = new Map<string, number>();
  server.prependListener('connection', (socket: net.Socket) => {
    const address = plainAddress(socket.remoteAddress ?? '');
    if (trust.has(address)) return;
    const n = (open.get(address) ?? 0) + 1;
    if (n > l.perAddress) {
      socket.destroy();
      return;
    }
    open.set(address, n);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
