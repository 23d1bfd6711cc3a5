// The fields a visitor gets from a notebook's answer: this hop's fields (and what the notebook's
// Connection names) stay behind, node frames the answer itself, and every Set-Cookie is
// confined to the visitor's space (set-cookie.ts). Pure: unit-tested.
import { confineCookie } from './set-cookie.js';

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);
const KEEP = new Set(['content-length', 'content-type', 'set-cookie']);

/** undici's raw response fields (Buffer pairs) → a flat list for res.writeHead. */
export function downstreamHeaders(raw: readonly (Buffer | string)[], base: string): string[] {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (String(raw[i]).toLowerCase() !== 'connection') continue;
    for (const t of String(raw[i + 1]).split(',')) {
      const token = t.trim().toLowerCase();
      if (token && !KEEP.has(token)) named.add(token);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = String(raw[i]);
    const lower = name.toLowerCase();
    if (HOP.has(lower) || named.has(lower)) continue;
    // latin1: field values are bytes; node writes them back byte for byte.
    const value = Buffer.isBuffer(raw[i + 1]) ? (raw[i + 1] as Buffer).toString('latin1') : String(raw[i + 1]);
    if (lower === 'set-cookie') {
      const cookie = confineCookie(value, base);
      if (cookie !== undefined) out.push(name, cookie);
      continue;
    }
    out.push(name, value);
  }
  return out;
}
