// The serve benchmarks' handle on a service: start `transferctl serve` as its own process (as
// deployed), read its /health, admin sessions and /metrics, wait for the pool, stop it and
// remove what it made.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sh } from './_lib.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/transferctl.js');
const ADMIN = randomBytes(12).toString('hex');

export interface Service {
  url: string;
  /** The admin page's URL (its own listener; the API under it, /metrics at its root). */
  admin: string;
  child: ChildProcess;
  config: string;
}

export async function startService(config: object): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), 'tcs-bench-'));
  const file = join(dir, 'serve.json');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, [BIN, 'serve', '-c', file, '--json'], {
    env: { ...process.env, TRANSFERCTL_SERVE_ADMIN_TOKEN: ADMIN },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const { url, admin } = await new Promise<{ url: string; admin: string }>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      try {
        resolve(JSON.parse(out) as { url: string; admin: string });
      } catch {
        /* more to come */
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
  return { url, admin, child, config: file };
}

export async function stopService(s: Service): Promise<void> {
  await new Promise((r) => {
    s.child.once('exit', r);
    s.child.kill('SIGTERM');
  });
  await sh(process.execPath, [BIN, 'serve', '-c', s.config, '--down']);
  rmSync(dirname(s.config), { recursive: true, force: true });
}

export async function health(s: Service): Promise<{ warm: number; assigned: number; starting: number; waiting: number }> {
  return ((await (await fetch(`${s.url}/health`)).json()) as { pool: { warm: number; assigned: number; starting: number; waiting: number } }).pool;
}

export interface SessionView {
  route: string;
  state: string;
  containerId: string;
  url?: string;
}

export async function sessions(s: Service): Promise<SessionView[]> {
  const res = await fetch(`${s.admin}/api/sessions`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return ((await res.json()) as { sessions: SessionView[] }).sessions;
}

/** One counter of /metrics, summed over its labels. */
export async function metric(s: Service, name: string): Promise<number> {
  const res = await fetch(new URL('/metrics', s.admin), { headers: { authorization: `Bearer ${ADMIN}` } });
  const text = await res.text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export async function waitWarm(svc: Service, n: number): Promise<number> {
  const t0 = Date.now();
  while ((await health(svc)).warm < n) {
    if (Date.now() - t0 > 900_000) throw new Error('the pool did not fill in 15 min');
    await new Promise((r) => setTimeout(r, 250));
  }
  return Date.now() - t0;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
