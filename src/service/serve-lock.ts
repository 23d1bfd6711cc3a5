// A running service says so: a small file per service name (its pid and address) that
// `serve --down` reads, so it never pulls containers from under a live service unless --force
// (which stops that service first). A file whose process is gone is stale and ignored.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';

export interface RunningService {
  pid: number;
  url: string;
}

const dir = () => join(tmpdir(), 'transferctl-serve');
const fileOf = (name: string) => join(dir(), `${name}.json`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live service of this name, if one runs on this machine. */
export function runningService(name: string): RunningService | undefined {
  try {
    const r = JSON.parse(readFileSync(fileOf(name), 'utf8')) as RunningService;
    return Number.isInteger(r.pid) && alive(r.pid) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Claim the name for this process; refuse when another live service holds it. */
export function claimService(name: string, url: string): () => void {
  const other = runningService(name);
  if (other && other.pid !== process.pid) {
    throw new UserError(`service "${name}" already runs here (pid ${other.pid}, ${other.url})`, {
      hint: 'stop it first, or give this one another "name" in its serve config',
    });
  }
  mkdirSync(dir(), { recursive: true });
  writeFileSync(fileOf(name), JSON.stringify({ pid: process.pid, url } satisfies RunningService));
  return () => {
    if (runningService(name)?.pid === process.pid) rmSync(fileOf(name), { force: true });
  };
}

/** Before --down: refuse while the service runs, or (force) stop it and wait until it has. */
export async function stopBeforeDown(name: string, force: boolean, timeoutMs = 60_000): Promise<void> {
  const r = runningService(name);
  if (!r || r.pid === process.pid) return;
  if (!force) {
    throw new UserError(`service "${name}" is still running (pid ${r.pid}, ${r.url}): --down would pull its visitors' notebooks from under it`, {
      hint: 'stop it first (Ctrl-C where it runs), or pass --force to stop it and then remove everything',
    });
  }
  process.kill(r.pid, 'SIGTERM');
  const t0 = Date.now();
  while (alive(r.pid)) {
    if (Date.now() - t0 > timeoutMs) throw new UserError(`service "${name}" (pid ${r.pid}) did not stop within ${timeoutMs / 1000} s`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
