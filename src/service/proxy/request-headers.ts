// The fields sent to a notebook for a visitor's request, from node's parsed raw headers: this
// hop's fields stay behind (Connection and what it names, but never Host or the framing fields
// it might name), X-Forwarded-* are appended to only when the peer is a trusted proxy and are
// this service's own view otherwise. Pure: unit-tested.

/** Fields that belong to one connection (RFC 9110 §7.6.1), plus Expect (node answered it). */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect', 'proxy-authorization', 'http2-settings']);
/** A Connection option can never remove these: the request's target and its framing. */
const KEEP = new Set(['host', 'content-length', 'content-type']);
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'forwarded', 'x-real-ip']);

export interface Peer {
  /** The visitor's (or the trusted proxy's) address. */
  address: string;
  trusted: boolean;
  /** This listener's port and scheme, for X-Forwarded-Port/Proto when we are the first hop. */
  port: number;
  proto: 'http' | 'https';
}

/**
 * RFC 9112 §3.2: a request with more than one Host field line (or, in HTTP/1.1, none) gets a
 * 400. Node keeps the first Host and drops the rest; a proxy in front that keeps the last
 * would then route the same request elsewhere than this service does.
 */
export function hostProblem(raw: readonly string[], httpVersion: string): string | undefined {
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === 'host') hosts++;
  if (hosts > 1) return 'more than one Host header';
  if (hosts === 0 && httpVersion === '1.1') return 'no Host header';
  return undefined;
}

/** Names listed in Connection (lowercase), less the ones it may not remove. */
export function connectionOptions(raw: readonly string[]): Set<string> {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() !== 'connection') continue;
    for (const token of raw[i + 1].split(',')) {
      const t = token.trim().toLowerCase();
      if (t && !KEEP.has(t)) named.add(t);
    }
  }
  return named;
}

/** Upstream fields as a flat [name, value, …] list (undici's form). */
export function upstreamHeaders(raw: readonly string[], peer: Peer): string[] {
  const named = connectionOptions(raw);
  const out: string[] = [];
  const prior: Record<string, string[]> = {};
  let host: string | undefined;
  let length = false;
  let chunked = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const lower = name.toLowerCase();
    const value = raw[i + 1];
    if (lower === 'transfer-encoding') chunked = true;
    if (HOP.has(lower) || named.has(lower)) continue;
    if (FORWARDED.has(lower)) {
      if (peer.trusted) (prior[lower] ??= []).push(value);
      continue;
    }
    if (lower === 'host') {
      if (host === undefined) host = value;
      continue;
    }
    if (lower === 'content-length') {
      if (length) continue;
      length = true;
    }
    out.push(name, value);
  }
  if (chunked && length) throw new Error('conflicting framing: both Content-Length and Transfer-Encoding');
  if (host !== undefined) out.unshift('host', host);
  // Proto, Host and Port: the trusted proxy's own view, the last entry (what a client sent
  // before it may come first, when the proxy appends rather than sets; fastify reads the same).
  const nearest = (k: string) => prior[k]?.join(',').split(',').pop()?.trim() || undefined;
  const chain = prior['x-forwarded-for']?.join(', ');
  out.push('x-forwarded-for', chain ? `${chain}, ${peer.address}` : peer.address);
  out.push('x-forwarded-proto', nearest('x-forwarded-proto') ?? peer.proto);
  const fwdHost = nearest('x-forwarded-host') ?? host;
  if (fwdHost) out.push('x-forwarded-host', fwdHost);
  out.push('x-forwarded-port', nearest('x-forwarded-port') ?? String(peer.port));
  if (prior.forwarded) out.push('forwarded', prior.forwarded.join(', '));
  if (prior['x-real-ip']) out.push('x-real-ip', prior['x-real-ip'][0]);
  return out;
}
