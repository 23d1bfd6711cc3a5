// The admin token: a bearer header for the API, an HttpOnly SameSite=Strict cookie for the page.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const ADMIN_COOKIE = 'tcs_admin';

function same(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export function isAdmin(headers: IncomingHttpHeaders, token: string): boolean {
  const auth = headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
  const given = bearer ?? cookieValue(headers, ADMIN_COOKIE);
  return given !== undefined && given.length > 0 && same(given, token);
}

export function adminCookie(token: string, secure: boolean): string {
  return `${ADMIN_COOKIE}=${encodeURIComponent(token)}; Path=/admin; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
