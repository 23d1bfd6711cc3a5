// Sessions and capacity per swarm node, as plain data: for /admin/api/sessions, /metrics and
// the per-node cap (`pool.per-node`): which nodes are full and must not get another notebook.
import type { SwarmNode } from '../../engine/index.js';
import type { Session } from '../session.js';

export interface NodeLoad {
  id: string;
  hostname: string;
  addr: string;
  role: string;
  state: string;
  availability: string;
  warm: number;
  assigned: number;
  starting: number;
  /** pool.per-node, when set. */
  capacity?: number;
}

export function nodeLoads(nodes: SwarmNode[], sessions: Pick<Session, 'node' | 'state'>[], perNode?: number, starting: Map<string, number> = new Map()): NodeLoad[] {
  return nodes.map((n) => {
    const mine = sessions.filter((s) => s.node === n.id);
    return {
      id: n.id,
      hostname: n.hostname,
      addr: n.addr,
      role: n.role,
      state: n.state,
      availability: n.availability,
      warm: mine.filter((s) => s.state === 'warm').length,
      assigned: mine.filter((s) => s.state === 'assigned').length,
      starting: mine.filter((s) => s.state === 'starting').length + (starting.get(n.id) ?? 0),
      capacity: perNode,
    };
  });
}

/** Placement constraints that keep new notebooks off nodes already holding `perNode` of them. */
export function fullNodeConstraints(loads: NodeLoad[], perNode: number | undefined): string[] {
  if (!perNode) return [];
  return loads.filter((l) => l.warm + l.assigned + l.starting >= perNode).map((l) => `node.id != ${l.id}`);
}

/** Whether any node that can take work has room under the per-node cap. */
export function someNodeHasRoom(loads: NodeLoad[], perNode: number | undefined): boolean {
  return loads.some((l) => l.state === 'ready' && l.availability === 'active' && (!perNode || l.warm + l.assigned + l.starting < perNode));
}

/** Per-node gauges for /metrics: containers by node and state. */
export function nodeGauge(sessions: Pick<Session, 'node' | 'state'>[]): [Record<string, string>, number][] {
  const counts = new Map<string, number>();
  for (const s of sessions) {
    if (!s.node) continue;
    const key = `${s.node}\u0000${s.state}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, v]) => {
    const [node, state] = k.split('\u0000');
    return [{ node, state }, v];
  });
}
