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

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
// `expect` too: node has already answered "100 Continue" to the visitor.
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'expect']);
const FORWARDED = ['x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto'] as const;

/** Names listed in a Connection field are hop-by-hop as well. */
export function connectionTokens(value: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const t of (value ?? '').split(',')) if (t.trim()) out.add(t.trim().toLowerCase());
  return out;
}

export function upstreamRequest(req: IncomingMessage, target: { host: string; port: number }): UpstreamRequest {
  const named = connectionTokens(req.headers.connection);
  const raw = req.rawHeaders;
  const method = req.method ?? 'GET';
  let head = `${method} ${req.url ?? '/'} HTTP/1.1\r\n`;
  let host: string | undefined;
  let forwardedHost: string | undefined;
  let length: string | undefined;
  const seen: Partial<Record<(typeof FORWARDED)[number], string>> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const lower = name.toLowerCase();
    if (NOT_FORWARDED.has(lower) || named.has(lower)) continue;
    const value = raw[i + 1];
    if (lower === 'x-forwarded-for' || lower === 'x-forwarded-port' || lower === 'x-forwarded-proto') {
      seen[lower] = seen[lower] === undefined ? value : `${seen[lower]}, ${value}`;
      continue;
    }
    if (lower === 'host') {
      if (host !== undefined) continue;
      host = value;
    } else if (lower === 'content-length') {
      if (length !== undefined) continue;
      length = value;
    } else if (lower === 'x-forwarded-host') forwardedHost ??= value;
    head += `${name}: ${value}\r\n`;
  }
  if (host === undefined) head += `Host: ${target.host}:${target.port}\r\n`;
  const tls = (req.socket as TLSSocket).encrypted === true;
  const port = /:(\d+)$/.exec(host ?? '')?.[1] ?? (tls ? '443' : '80');
  const mine = { 'x-forwarded-for': req.socket.remoteAddress ?? '', 'x-forwarded-port': port, 'x-forwarded-proto': tls ? 'https' : 'http' };
  head += `X-Forwarded-For: ${append(seen['x-forwarded-for'], mine['x-forwarded-for'])}\r\n`;
  head += `X-Forwarded-Port: ${append(seen['x-forwarded-port'], mine['x-forwarded-port'])}\r\n`;
  head += `X-Forwarded-Proto: ${append(seen['x-forwarded-proto'], mine['x-forwarded-proto'])}\r\n`;
  if (forwardedHost === undefined && host) head += `X-Forwarded-Host: ${host}\r\n`;

  let body: BodyFraming = 'none';
  if (req.headers['transfer-encoding'] !== undefined) {
    body = 'chunked';
    head += 'Transfer-Encoding: chunked\r\n';
  } else if (length !== undefined) {
    body = length === '0' ? 'none' : 'length';
  } else if (method === 'DELETE' || method === 'OPTIONS') {
    head += 'Content-Length: 0\r\n';
  }
  return { head: `${head}Connection: keep-alive\r\n\r\n`, body };
}

const append = (before: string | undefined, value: string) => (before ? `${before},${value}` : value);
