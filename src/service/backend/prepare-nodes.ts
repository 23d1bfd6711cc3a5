// `transferctl serve --prepare-nodes`: send the notebook image to each swarm node over SSH
// with the thin transfer (only the layers the node lacks), the nodes' SSH targets given in the
// serve config's "nodes" map, keyed by node ID, hostname or label=value. Says which active
// nodes no entry covers (they must pull the image themselves).
import type { Engine, SwarmNode } from '../../engine/index.js';
import { UserError } from '../../errors.js';
import { resolveRemote } from '../../transfer/resolve-remote.js';
import { transferImage, type TransferResult } from '../../transfer/transfer.js';
import type { ServeSpec } from '../config.js';
import { nodeLabel } from './swarm-spawner.js';

export interface PreparedNode {
  key: string;
  target: string;
  nodes: string[];
  result: TransferResult;
}

/** The nodes a "nodes" key names: an ID (or a prefix of 12+), a hostname, or label=value. */
export function nodesFor(key: string, nodes: SwarmNode[]): SwarmNode[] {
  const eq = key.indexOf('=');
  if (eq > 0) {
    const [k, v] = [key.slice(0, eq).replace(/^node\.labels\./, ''), key.slice(eq + 1)];
    return nodes.filter((n) => n.labels[k] === v);
  }
  return nodes.filter((n) => n.id === key || (key.length >= 12 && n.id.startsWith(key)) || n.hostname === key);
}

export async function prepareNodes(
  engine: Engine,
  spec: ServeSpec,
  log: (m: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ prepared: PreparedNode[]; uncovered: string[] }> {
  const entries = Object.entries(spec.nodes ?? {});
  if (entries.length === 0) {
    throw new UserError('--prepare-nodes needs the nodes\' SSH targets: a "nodes" map in the serve config', {
      hint: 'e.g. "nodes": { "node.labels.zone=a": "ssh://admin@10.0.0.7" } (keys: node ID, hostname or label=value)',
      exitCode: 2,
    });
  }
  if (!(await engine.images.inspect(spec.image))) {
    throw new UserError(`image ${spec.image} is not on this engine, so --prepare-nodes cannot send it`, { hint: 'build or pull it here first' });
  }
  const all = await engine.swarm.nodes();
  const covered = new Set<string>();
  const prepared: PreparedNode[] = [];
  for (const [key, target] of entries) {
    const matched = nodesFor(key, all);
    if (matched.length === 0) {
      throw new UserError(`"nodes": "${key}" matches no node of the swarm`, { hint: 'use a node ID, hostname or label=value that `docker node ls` / `docker node inspect` shows' });
    }
    for (const n of matched) covered.add(n.id);
    log(`sending ${spec.image} to ${target} (${matched.map(nodeLabel).join(', ')})`);
    const result = await transferImage({ engine, image: spec.image, remote: resolveRemote({ host: target, env }, env) });
    log(result.mode === 'none' ? `${target}: already there` : `${target}: sent ${result.layers.sent} of ${result.layers.total} layers`);
    prepared.push({ key, target, nodes: matched.map((n) => n.id), result });
  }
  // The manager holds the image already (it is sent from here).
  const self = (await engine.swarm.state()).nodeId;
  const uncovered = all.filter((n) => n.id !== self && n.availability === 'active' && !covered.has(n.id)).map(nodeLabel);
  if (uncovered.length) log(`no SSH target for ${uncovered.join(', ')}: those nodes must pull ${spec.image} themselves`);
  return { prepared, uncovered };
}
