// How the fast lane (fast-lane.ts) reads a request head: strictly, and only the requests it
// takes — GET or HEAD over HTTP/1.1, no body (neither Content-Length nor Transfer-Encoding, so
// the request ends with its head), no Upgrade or Expect, one Host, every line well-formed and
// ended by CRLF. Anything else is undefined: node's http server has it, and answers it as it
// always did.
// For the lane it also writes the head that goes to the notebook, the same as forward.ts would
// send (upstream-request.ts); in the usual case straight from the text, without taking every
// field apart, as this runs on every request.
import { portOf, trimOws, upstreamHead } from './upstream-request.js';

export interface LaneRequest {
  method: string;
  url: string;
  /** The visitor asked to close the connection after this response. */
  close: boolean;
  /** The head for the notebook server: in the usual case the visitor's as it is, with
   *  X-Forwarded-* added (nothing to take out); else rebuilt the way forward.ts does it. */
  upstream: string;
}

/** The largest head the lane reads (node's default limit for a whole head is 16 KiB too). */
export const MAX_LANE_HEAD = 16 * 1024;

// The request line, then fields with token names and values without control characters: one
// pass checks every line (a value cannot hold a CR, so each line ends where it seems to).
const REQUEST_HEAD = /^(GET|HEAD) (\/[\x21-\x7e]*) HTTP\/1\.1((?:\r\n[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\x00-\x08\x0a-\x1f\x7f]*)*)$/;
// A second pass finds the fields that matter here.
const SPECIAL = /\r\n(host|connection|cookie|content-length|transfer-encoding|upgrade|expect|te|trailer|proxy-connection|keep-alive|x-forwarded-[!#$%&'*+.^_`|~0-9A-Za-z-]*):([^\r]*)/gi;
const FIELD = /\r\n([^:]+):([^\r]*)/g;

/** `head` is the text before the blank line (latin1: a byte per character, as node reads it). */
export function laneRequest(head: string, remoteAddress: string | undefined): LaneRequest | undefined {
  const m = REQUEST_HEAD.exec(head);
  if (!m) return undefined;
  const [, method, url, fields] = m;
  let host: string | undefined;
  let hosts = 0;
  let cookies = 0;
  let connection = '';
  let unusual = false;
  SPECIAL.lastIndex = 0;
  for (let f = SPECIAL.exec(fields); f; f = SPECIAL.exec(fields)) {
    const name = f[1].toLowerCase();
    if (name === 'host') {
      hosts++;
      host = trimOws(f[2]);
    } else if (name === 'connection') connection += `${connection ? ',' : ''}${f[2].toLowerCase()}`;
    else if (name === 'cookie') cookies++;
    else if (name === 'content-length' || name === 'transfer-encoding' || name === 'upgrade' || name === 'expect') return undefined;
    else unusual = true; // te, trailer, proxy-connection, keep-alive, x-forwarded-*
  }
  if (hosts !== 1) return undefined;
  let close = false;
  for (const t of connection.split(',')) {
    const token = trimOws(t);
    if (token === 'upgrade') return undefined;
    if (token === 'close') close = true;
    else if (token && token !== 'keep-alive') unusual = true; // names more hop-by-hop fields
  }
  if (unusual || close || cookies > 1 || !host) return { method, url, close, upstream: general(method, url, fields, remoteAddress) };
  // "Connection: keep-alive", if there, is what this hop says as well: it stays.
  const upstream = `${head}\r\nx-forwarded-for: ${remoteAddress ?? ''}\r\nx-forwarded-port: ${portOf(host) ?? '80'}\r\nx-forwarded-proto: http\r\nx-forwarded-host: ${host}\r\n\r\n`;
  return { method, url, close, upstream };
}

/** Each field parsed as node would (names in lower case, repeats joined), then upstreamHead. */
function general(method: string, url: string, fields: string, remoteAddress: string | undefined): string {
  const headers: Record<string, string> = Object.create(null);
  FIELD.lastIndex = 0;
  for (let f = FIELD.exec(fields); f; f = FIELD.exec(fields)) {
    const name = f[1].toLowerCase();
    const value = trimOws(f[2]);
    const before = headers[name];
    headers[name] = before === undefined ? value : `${before}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  // Host is there (the lane asks for one); the target is only used when it is not.
  return upstreamHead({ method, url, headers, remoteAddress, tls: false }, { host: '', port: 0 }).head;
}
