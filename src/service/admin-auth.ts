// Who is the admin: the API takes the bearer token only; the page takes a signed session
// cookie (never the token itself) and its forms a CSRF token bound to that session plus a
// same-origin check. A cookie that does not parse or verify is simply "not signed in".
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parse as parseCookies } from 'cookie';

export const ADMIN_COOKIE = 'tcs_admin';
const SESSION_MS = 12 * 3600_000;

function same(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** True when the request carries `Authorization: Bearer <the admin token>`. */
export function bearerOk(headers: IncomingHttpHeaders, token: string): boolean {
  const auth = headers.authorization;
  if (typeof auth !== 'string' || !/^Bearer /i.test(auth)) return false;
  const given = auth.slice(7).trim();
  return given.length > 0 && same(given, token);
}

export function tokenOk(given: string, token: string): boolean {
  return given.length > 0 && same(given, token);
}

/** Signed admin sessions: `EXPIRY.NONCE.MAC`, keyed by the admin token (a new token ends them). */
export class AdminSessions {
  private readonly key: Buffer;
  constructor(token: string) {
    this.key = createHmac('sha256', token).update('transferctl serve admin session').digest();
  }

  private mac(what: string): string {
    return createHmac('sha256', this.key).update(what).digest('base64url');
  }

  issue(now = Date.now()): string {
    const body = `${(now + SESSION_MS).toString(36)}.${randomBytes(16).toString('hex')}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The session's nonce when the value is one we signed and it has not expired. */
  verify(value: string | undefined, now = Date.now()): string | undefined {
    const m = typeof value === 'string' ? /^([0-9a-z]{1,12})\.([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
    if (!m) return undefined;
    if (!same(this.mac(`${m[1]}.${m[2]}`), m[3])) return undefined;
    if (parseInt(m[1], 36) < now) return undefined;
    return m[2];
  }

  /** The CSRF token of a session: forms carry it, a post must bring it back. */
  csrf(nonce: string): string {
    return this.mac(`csrf.${nonce}`);
  }

  csrfOk(nonce: string, given: unknown): boolean {
    return typeof given === 'string' && given.length > 0 && same(this.csrf(nonce), given);
  }

  /** The session nonce from a request's cookie header (undefined for anything malformed). */
  fromHeaders(headers: IncomingHttpHeaders): string | undefined {
    const raw = headers.cookie;
    if (typeof raw !== 'string') return undefined;
    let value: string | undefined;
    try {
      value = parseCookies(raw)[ADMIN_COOKIE];
    } catch {
      return undefined;
    }
    return this.verify(value);
  }
}

export function adminCookie(value: string, secure: boolean): string {
  return `${ADMIN_COOKIE}=${value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}${secure ? '; Secure' : ''}`;
}

/**
 * A browser's form post from the admin's own origin: `Sec-Fetch-Site`, when sent, says
 * same-origin; `Origin`, when sent, names this host. (The CSRF token is checked as well.)
 */
export function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = headers.origin;
  if (origin === undefined) return true;
  try {
    return typeof headers.host === 'string' && new URL(origin).host === headers.host.toLowerCase();
  } catch {
    return false;
  }
}
