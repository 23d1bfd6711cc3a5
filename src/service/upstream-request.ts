// The request head the proxy sends to a notebook server, built from the visitor's request the
// way http-proxy-3 did with { xfwd: true, changeOrigin: false }: the visitor's Host is kept
// (Jupyter checks Origin against it for its xsrf and WebSocket origin rules), X-Forwarded-For,
// -Port and -Proto are appended to any the visitor sent, X-Forwarded-Host is set unless present.
// Hop-by-hop fields (RFC 9110 §7.6.1) are this hop's own and are not forwarded.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** How the request body travels: none, as is (Content-Length), or chunked again (node decoded it). */
export type BodyFraming = 'none' | 'length' | 'chunked';

export interface UpstreamRequest {
  head: string;
  body: BodyFraming;
}

/** Fields that belong to one connection (RFC 9110 7.6.1), never passed on as they are. */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
// Not forwarded either: `expect` (node has answered "100 Continue" already), and the fields
// this function writes itself.
const OURS = new Set([...HOP_BY_HOP, 'expect', 'x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto']);

/** Names listed in a Connection field are hop-by-hop as well (none for the usual values). */
export function connectionTokens(value: string | undefined): Set<string> | undefined {
  if (value === undefined || value === 'keep-alive' || value === 'close') return undefined;
  const out = new Set<string>();
  for (const t of value.split(',')) if (t.trim()) out.add(t.trim().toLowerCase());
  return out;
}

/** A visitor's request as parsed: by node's http server, or by the fast lane (fast-lane.ts). */
export interface VisitorRequest {
  method: string;
  url: string;
  /** Names in lower case; repeated fields joined as node joins them. */
  headers: Record<string, string | string[] | undefined>;
  remoteAddress: string | undefined;
  tls: boolean;
}

export function upstreamRequest(req: IncomingMessage, target: { host: string; port: number }): UpstreamRequest {
  return upstreamHead(
    { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, remoteAddress: req.socket.remoteAddress, tls: (req.socket as TLSSocket).encrypted === true },
    target,
  );
}

export function upstreamHead(r: VisitorRequest, target: { host: string; port: number }): UpstreamRequest {
  const h = r.headers;
  const named = connectionTokens(h.connection as string | undefined);
  let head = `${r.method} ${r.url} HTTP/1.1\r\n`;
  for (const name in h) {
    const value = h[name];
    if (value === undefined || OURS.has(name) || named?.has(name)) continue;
    if (typeof value === 'string') head += `${name}: ${value}\r\n`;
    else for (const v of value) head += `${name}: ${v}\r\n`;
  }
  const host = h.host as string | undefined;
  if (host === undefined) head += `host: ${target.host}:${target.port}\r\n`;
  const port = portOf(host) ?? (r.tls ? '443' : '80');
  head += `x-forwarded-for: ${append(h['x-forwarded-for'], r.remoteAddress ?? '')}\r\n`;
  head += `x-forwarded-port: ${append(h['x-forwarded-port'], port)}\r\n`;
  head += `x-forwarded-proto: ${append(h['x-forwarded-proto'], r.tls ? 'https' : 'http')}\r\n`;
  if (h['x-forwarded-host'] === undefined && host) head += `x-forwarded-host: ${host}\r\n`;

  let body: BodyFraming = 'none';
  if (h['transfer-encoding'] !== undefined) {
    body = 'chunked';
    head += 'transfer-encoding: chunked\r\n';
  } else if (h['content-length'] !== undefined) {
    body = h['content-length'] === '0' ? 'none' : 'length';
  } else if (r.method === 'DELETE' || r.method === 'OPTIONS') {
    head += 'content-length: 0\r\n';
  }
  return { head: `${head}connection: keep-alive\r\n\r\n`, body };
}

/** The port in a Host value ("[::1]:8080" → "8080"), if it names one. */
export function portOf(host: string | undefined): string | undefined {
  const colon = host ? host.lastIndexOf(':') : -1;
  if (colon < 0 || colon < host!.lastIndexOf(']') || colon === host!.length - 1) return undefined;
  for (let i = colon + 1; i < host!.length; i++) {
    const c = host!.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return host!.slice(colon + 1);
}

/** Without the spaces and tabs around it (a loop: no regular expression to backtrack). */
export function trimOws(v: string): string {
  let a = 0;
  let b = v.length;
  while (a < b && (v.charCodeAt(a) === 32 || v.charCodeAt(a) === 9)) a++;
  while (b > a && (v.charCodeAt(b - 1) === 32 || v.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === v.length ? v : v.slice(a, b);
}

const append = (before: string | string[] | undefined, value: string) => (before ? `${before},${value}` : value);
