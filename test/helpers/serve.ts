// Start a real `serve` on the real engine for a test: a unique service name, cleaned up after.
import type { TestContext } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { Engine } from '../../src/engine/index.js';
import { resolveServe, type ServeSpec } from '../../src/service/config.js';
import type { ServeConfig } from '../../src/service/config-schema.js';
import { serveDown, startServe, type ServeHandle } from '../../src/service/service.js';

export const run = promisify(execFile);
export const ADMIN = 'test-admin-token';

export function serveName(): string {
  return `tcst-${randomBytes(3).toString('hex')}`;
}

export function testSpec(image: string, over: Partial<ServeConfig> = {}): ServeSpec {
  return resolveServe(
    {
      name: serveName(),
      image,
      listen: { port: 0 },
      pool: { size: 1, capacity: 3 },
      // No disk limit unless a test asks (service-disk.test.ts); the default (512m) is for users.
      limits: { memory: '512m', cpus: 1, pids: 128, disk: false },
      ...over,
    },
    null,
  );
}

/** Start a service; t.after closes it and removes every container and the network. */
export async function startTestServe(t: TestContext, engine: Engine, spec: ServeSpec, log?: (m: string) => void): Promise<ServeHandle> {
  let handle: ServeHandle | undefined;
  // Stop the service first (it may be starting a container), then remove what it made.
  t.after(async () => {
    await handle?.close();
    await serveDown(engine, spec);
  });
  handle = await startServe(engine, spec, { adminToken: ADMIN, log });
  return handle;
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function warmPool(h: ServeHandle, n = h.core.spec.pool.size): Promise<void> {
  await until(`${n} warm container(s)`, () => h.core.pool.counts().warm >= n, 90_000);
}

/** POST /spawn as JSON: a URL (served) or a ticket (waiting). */
export async function spawn(h: ServeHandle): Promise<{ status: number; url?: string; route?: string; ticket?: string; position?: number }> {
  const res = await fetch(`${h.url}/spawn`, { method: 'POST', headers: { accept: 'application/json' } });
  return { status: res.status, ...((await res.json()) as object) };
}

/** Base URL and token of a session URL like /user/R/tree?token=T. */
export function splitUrl(h: ServeHandle, url: string): { base: string; token: string; route: string } {
  const m = /^\/user\/([0-9a-f]{32})\/[^?]*\?token=([0-9a-f]+)$/.exec(url);
  if (!m) throw new Error(`not a session URL: ${url}`);
  return { base: `${h.url}/user/${m[1]}`, token: m[2], route: m[1] };
}

export async function serviceContainers(name: string): Promise<string[]> {
  const { stdout } = await run('docker', ['ps', '-a', '--filter', `label=org.transferctl.serve.name=${name}`, '--format', '{{.Names}}']);
  return stdout.split('\n').filter(Boolean);
}
