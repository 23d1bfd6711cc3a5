// Turn dockerode / socket failures into EngineErrors that say what to do.
import { EngineError } from '../errors.js';
import type { EngineEndpoint } from './types.js';

export interface HttpishError extends Error {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  reason?: string;
}

export function statusOf(err: unknown): number | undefined {
  return (err as HttpishError)?.statusCode;
}

export function engineMessage(err: unknown): string {
  const e = err as HttpishError;
  const msg = e?.json?.message ?? (typeof e?.json === 'string' ? e.json : undefined) ?? e?.message ?? String(err);
  return String(msg).replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim();
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE']);

export function isUnreachable(err: unknown): boolean {
  const code = (err as HttpishError)?.code;
  return !!code && UNREACHABLE.has(code);
}

export function unreachableError(endpoint: EngineEndpoint, err: unknown): EngineError {
  const code = (err as HttpishError)?.code;
  const why = code === 'EACCES' ? 'permission denied' : code === 'ENOENT' ? 'no such socket' : code ?? 'no answer';
  const hint =
    code === 'EACCES'
      ? 'add yourself to the docker group (sudo usermod -aG docker $USER, then log in again) or run as root'
      : endpoint.source === 'DOCKER_HOST'
        ? 'start the engine there, or unset DOCKER_HOST to use the local one'
        : 'start Docker (`sudo systemctl start docker`, or `sudo dockerd &`); on Debian/Ubuntu `npm run quickstart` installs and starts it';
  return new EngineError(`no Docker Engine answers at ${endpoint.url} (${why}; found via ${endpoint.source})`, { hint, cause: err });
}

/** Wrap an engine call: unreachable → clear error; other failures → EngineError with the engine's words. */
export async function call<T>(endpoint: EngineEndpoint, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EngineError) throw err;
    if (isUnreachable(err)) throw unreachableError(endpoint, err);
    const wrapped = new EngineError(`${what}: ${engineMessage(err)}`, { cause: err });
    (wrapped as HttpishError).statusCode = statusOf(err);
    throw wrapped;
  }
}

/** Like `call`, but a 404 gives `null`. */
export async function callOrNull<T>(endpoint: EngineEndpoint, what: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await call(endpoint, what, fn);
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}
