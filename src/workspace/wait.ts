// Wait until Jupyter answers /api/status with the token — or the container dies.
import http from 'node:http';
import { UserError } from '../errors.js';
import type { Engine } from '../engine/index.js';

export interface WaitOptions {
  host: string;
  port: number;
  token: string;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

export function jupyterAnswers(host: string, port: number, token: string, timeoutMs = 1000): Promise<boolean> {
  // node:http, not fetch: fetch's first call loads undici (~50 ms of CPU on every `up`).
  // The timer is ref'd: the process must not think it has nothing left to do meanwhile.
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: `/api/status?token=${encodeURIComponent(token)}`, agent: false }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode === 200));
      res.on('error', () => done(false));
    });
    const timer = setTimeout(() => req.destroy(), timeoutMs);
    let settled = false;
    function done(ok: boolean): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(ok);
    }
    req.on('error', () => done(false));
    req.on('close', () => done(false));
  });
}

/** Jupyter's own "I am listening" lines (Jupyter Server 2, notebook 6, JupyterLab). */
export const READY_LINE = /is running at:?|Use Control-C to stop this server|http:\/\/[^\s/]+:\d+\/(lab|tree)?/;

/**
 * A wake-up for the poll loop: resolves `next()` as soon as the container's output shows a
 * ready line, so the check comes right then instead of at the next poll. Best effort: any
 * problem with the log stream leaves the plain polling.
 */
function readySignal(engine: Engine, containerId: string): { next(): Promise<void>; close(): void } {
  let wake: (() => void) | undefined;
  let seen = false;
  let stream: { destroy(): void } | undefined;
  let closed = false;
  engine.containers
    .logs(containerId, { follow: true })
    .then((s) => {
      if (closed) return s.destroy();
      stream = s;
      let buffer = '';
      s.on('data', (chunk: Buffer) => {
        buffer = (buffer + chunk.toString('utf8')).slice(-4096);
        if (READY_LINE.test(buffer)) {
          buffer = '';
          seen = true;
          wake?.();
        }
      });
      s.on('error', () => {});
    })
    .catch(() => {});
  return {
    next: () =>
      new Promise<void>((resolve) => {
        if (seen) {
          seen = false;
          return resolve();
        }
        wake = () => {
          seen = false;
          wake = undefined;
          resolve();
        };
      }),
    close() {
      closed = true;
      wake = undefined;
      stream?.destroy();
    },
  };
}

/** Resolves when the server answers; throws with the container's last log lines if it exits. */
export async function waitForJupyter(engine: Engine, containerId: string, opts: WaitOptions): Promise<number> {
  const signal = readySignal(engine, containerId);
  try {
    return await pollJupyter(engine, containerId, opts, signal.next);
  } finally {
    signal.close();
  }
}

/**
 * After the ready line, poll this often for a while: Jupyter Server 2 prints "is running at"
 * just before its socket listens (seen: the check the line wakes is refused, one a few ms
 * later answers), so waiting a whole interval then would lose up to that interval.
 */
const SOON_INTERVAL_MS = 10;
const SOON_WINDOW_MS = 2000;

async function pollJupyter(engine: Engine, containerId: string, opts: WaitOptions, readyLine: () => Promise<void>): Promise<number> {
  const started = Date.now();
  const interval = opts.intervalMs ?? 100;
  let lastAliveCheck = started;
  let lineSeenAt: number | undefined;
  while (Date.now() - started < opts.timeoutMs) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (await jupyterAnswers(opts.host, opts.port, opts.token, 1000)) return Date.now() - started;
    // Every few intervals, look whether the container is still alive.
    if (Date.now() - lastAliveCheck >= 5 * interval) {
      lastAliveCheck = Date.now();
      const c = await engine.containers.inspect(containerId);
      if (!c || !c.running) {
        const logs = c ? (await engine.containers.logsText(containerId, 15)).trimEnd() : '';
        throw new UserError(
          `the notebook server exited at start (exit code ${c?.exitCode ?? '?'})` + (logs ? `; its last lines:\n${indent(logs)}` : ''),
          { hint: 'fix the command or image (jupyter.mode / jupyter.command), then run `transferctl up` again' },
        );
      }
    }
    const soon = lineSeenAt !== undefined && Date.now() - lineSeenAt < SOON_WINDOW_MS;
    let timer: NodeJS.Timeout | undefined;
    const woke = await Promise.race([
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), soon ? SOON_INTERVAL_MS : interval))),
      readyLine().then(() => true),
    ]);
    clearTimeout(timer);
    if (woke) lineSeenAt ??= Date.now();
  }
  const logs = (await engine.containers.logsText(containerId, 10)).trimEnd();
  throw new UserError(`the notebook server did not answer within ${Math.round(opts.timeoutMs / 1000)} s` + (logs ? `; its last lines:\n${indent(logs)}` : ''), {
    hint: 'see `transferctl logs`; raise the wait with --timeout SECONDS',
  });
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
