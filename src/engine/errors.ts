// Turn dockerode / socket failures into EngineErrors that say what to do, each with a typed
// failure kind: the only place that reads the engine's messages and status codes, so callers
// ask `failureKind(err) === 'port-taken'` instead of matching the engine's words.
import { EngineError } from '../errors.js';
import type { EngineEndpoint } from './types.js';

/** What went wrong, as far as a caller can act on it. */
export type EngineFailureKind =
  /** No engine answers at the endpoint. */
  | 'unreachable'
  /** The object (container, image, path in a container, image in a registry) does not exist. */
  | 'not-found'
  /** The registry wants credentials, or refused the ones given. */
  | 'unauthorized'
  /** The engine cannot reach the registry (refused, no such host, timeout, HTTP vs HTTPS). */
  | 'registry-unreachable'
  /** A host port the container publishes is taken. */
  | 'port-taken'
  /** GPUs were asked for and the engine has no NVIDIA container runtime. */
  | 'no-gpu-runtime'
  /** `images.loadLayer`: this engine cannot take a load that names layers it already has without sending them. */
  | 'partial-load-unsupported'
  /** A bind mount's source folder does not exist on the engine's host. */
  | 'bind-source-missing'
  | 'other';

const UNAUTHORIZED = /unauthorized|authentication required|no basic auth credentials|access denied|\bdenied:|\b401\b/i;
/** Object IDs and digests: a random hex run can spell "401" or any other code. */
const HEX_IDS = /\b(sha256:)?[0-9a-f]{12,}\b/gi;
const BIND_SOURCE_MISSING = /bind source path does not exist/i;
const NOT_FOUND = /manifest unknown|not found|does not exist|name unknown/i;
const REGISTRY_UNREACHABLE = /connection refused|no such host|i\/o timeout|server gave HTTP response to HTTPS client|dial tcp/i;
const PORT_TAKEN = /port is already allocated|address already in use/i;
const NO_GPU_RUNTIME = /could not select device driver|nvidia/i;
/** A load whose manifest names base layers it does not send: the engine looked for them in the tar. */
const PARTIAL_LOAD = /no such file|base-\d+\/layer\.tar|content digest .* not found|blob .* not found/i;

/** The kind of an engine failure from its message (the engine's own words) and HTTP status. */
export function classifyEngineFailure(message: string, statusCode?: number): EngineFailureKind {
  message = message.replace(HEX_IDS, '<id>');
  if (UNAUTHORIZED.test(message)) return 'unauthorized';
  if (BIND_SOURCE_MISSING.test(message)) return 'bind-source-missing';
  if (statusCode === 404) return 'not-found';
  if (PORT_TAKEN.test(message)) return 'port-taken';
  if (NO_GPU_RUNTIME.test(message)) return 'no-gpu-runtime';
  if (NOT_FOUND.test(message)) return 'not-found';
  if (REGISTRY_UNREACHABLE.test(message)) return 'registry-unreachable';
  return 'other';
}

/** The kind of any error an engine call threw. */
export function failureKind(err: unknown): EngineFailureKind {
  if (err instanceof EngineError) return err.kind;
  if (isUnreachable(err)) return 'unreachable';
  return classifyEngineFailure(engineMessage(err), statusOf(err));
}

/** A failed partial load (images.loadLayer): did the engine look for the layers it was not sent? */
export function missedUnsentLayers(message: string): boolean {
  return PARTIAL_LOAD.test(message);
}

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
  return new EngineError(`no Docker Engine answers at ${endpoint.url} (${why}; found via ${endpoint.source})`, { hint, cause: err, kind: 'unreachable' });
}

/** Wrap an engine call: unreachable → clear error; other failures → EngineError with the engine's words. */
export async function call<T>(endpoint: EngineEndpoint, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EngineError) throw err;
    if (isUnreachable(err)) throw unreachableError(endpoint, err);
    const message = engineMessage(err);
    const wrapped = new EngineError(`${what}: ${message}`, { cause: err, kind: classifyEngineFailure(message, statusOf(err)) });
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
