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

/** Resolves when the server answers; throws with the container's last log lines if it exits. */
export async function waitForJupyter(engine: Engine, containerId: string, opts: WaitOptions): Promise<number> {
  const started = Date.now();
  const interval = opts.intervalMs ?? 100;
  let checks = 0;
  while (Date.now() - started < opts.timeoutMs) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (await jupyterAnswers(opts.host, opts.port, opts.token, 1000)) return Date.now() - started;
    // Every few polls, look whether the container is still alive.
    if (checks++ % 5 === 4) {
      const c = await engine.containers.inspect(containerId);
      if (!c || !c.running) {
        const logs = c ? (await engine.containers.logsText(containerId, 15)).trimEnd() : '';
        throw new UserError(
          `the notebook server exited at start (exit code ${c?.exitCode ?? '?'})` + (logs ? `; its last lines:\n${indent(logs)}` : ''),
          { hint: 'fix the command or image (jupyter.mode / jupyter.command), then run `transferctl up` again' },
        );
      }
    }
    await new Promise((r) => setTimeout(r, interval));
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
