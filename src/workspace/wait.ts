// Wait until Jupyter answers /api/status with the token — or the container dies.
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

export async function jupyterAnswers(host: string, port: number, token: string, timeoutMs = 1000): Promise<boolean> {
  // A ref'd timer (not AbortSignal.timeout, which is unref'd): the process must not
  // think it has nothing left to do while a connection attempt is pending.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(`http://${host}:${port}/api/status?token=${encodeURIComponent(token)}`, { signal: controller.signal });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
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
