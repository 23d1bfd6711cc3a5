// Whether to cull a visitor's notebook: pure, unit-tested.
import type { JupyterActivity } from './jupyter-api.js';
import type { Session } from './session.js';

export type Verdict = 'keep' | 'probe' | 'idle' | 'max-age';

export interface VerdictInput {
  now: number;
  session: Pick<Session, 'state' | 'assignedAt' | 'createdAt' | 'lastActivity'>;
  idleMs: number;
  maxAgeMs: number;
  /** undefined: not asked yet; null: the server did not answer. */
  jupyter?: JupyterActivity | null;
}

export function cullVerdict(i: VerdictInput): Verdict {
  const { now, session: s } = i;
  if (s.state !== 'assigned') return 'keep';
  if (now - (s.assignedAt ?? s.createdAt) >= i.maxAgeMs) return 'max-age';
  if (now - s.lastActivity < i.idleMs) return 'keep';
  if (i.jupyter === undefined) return 'probe';
  // A server that does not answer is not proof of idleness (max-age still applies).
  if (i.jupyter === null) return 'keep';
  if (i.jupyter.busy) return 'keep';
  if (i.jupyter.lastActivity !== undefined && now - i.jupyter.lastActivity < i.idleMs) return 'keep';
  return 'idle';
}
