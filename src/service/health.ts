// Is the service working? Not when the engine does not answer, nor when the last
// FAILING_STARTS notebook starts all failed (image gone, network gone, engine errors). The
// public /health says which, in a word; the admin API adds the last error.
import type { ServiceCore } from './core.js';

export const FAILING_STARTS = 3;

export interface Health {
  ok: boolean;
  status: 'ok' | 'engine unreachable' | 'notebooks fail to start';
  engine: boolean;
  failedStartsInARow: number;
  lastStartError: string | null;
}

export async function health(core: ServiceCore): Promise<Health> {
  const engine = await core.engineOk();
  const failed = core.pool.failuresInARow;
  const status = !engine ? 'engine unreachable' : failed >= FAILING_STARTS ? 'notebooks fail to start' : 'ok';
  return { ok: status === 'ok', status, engine, failedStartsInARow: failed, lastStartError: core.pool.lastError ?? null };
}
