// The host firewall of a swarm service (firewall-plan.ts: swarmNodeRules) on every node: this
// machine's iptables for the manager serve runs on, ssh + iptables for the others, through the
// serve config's "nodes" map (the same SSH targets --prepare-nodes uses). A node serve cannot
// reach this way makes serve refuse to start, unless `network.host-firewall: false`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { quote } from 'shlex';
import type { Engine, SwarmNode } from '../../engine/index.js';
import { UserError } from '../../errors.js';
import { parseSshTarget, splitSshOpts, sshArgs } from '../../transfer/ssh-target.js';
import type { ServeSpec } from '../config.js';
import { swarmNodeRules } from '../firewall-plan.js';
import { applyRules, iptablesProblem, localIptables, removeRules, type Iptables } from '../host-firewall.js';
import { nodesFor } from './prepare-nodes.js';
import { nodeLabel } from './swarm-spawner.js';

const run = promisify(execFile);

export interface NodeFirewall {
  node: SwarmNode;
  /** "here", or the ssh target. */
  via: string;
  iptables: Iptables;
}

function sshIptables(target: string, env: NodeJS.ProcessEnv): Iptables {
  const args = sshArgs(parseSshTarget(target), { extra: splitSshOpts(env.TRANSFERCTL_SSH_OPTS), options: ['BatchMode=yes', 'ConnectTimeout=10'] });
  return (family, iptables) => run('ssh', [...args, [family === 4 ? 'iptables' : 'ip6tables', '-w', ...iptables].map(quote).join(' ')], { timeout: 30_000 });
}

/** How each node's iptables is reached; the nodes with no way, by name. */
export async function nodeFirewalls(engine: Engine, spec: ServeSpec, env: NodeJS.ProcessEnv, uid = process.getuid?.()): Promise<{ nodes: NodeFirewall[]; unreachable: string[] }> {
  const [all, state] = await Promise.all([engine.swarm.nodes(), engine.swarm.state()]);
  const entries = Object.entries(spec.nodes ?? {});
  const nodes: NodeFirewall[] = [];
  const unreachable: string[] = [];
  for (const node of all) {
    const entry = entries.find(([key]) => nodesFor(key, [node]).length > 0);
    if (entry) nodes.push({ node, via: entry[1], iptables: sshIptables(entry[1], env) });
    else if (node.id === state.nodeId && engine.isLocal && uid === 0) nodes.push({ node, via: 'here', iptables: localIptables });
    else unreachable.push(nodeLabel(node));
  }
  return { nodes, unreachable };
}

/** Put the rules on every node, or refuse (nothing applied) when a node cannot take them. */
export async function fenceSwarm(engine: Engine, spec: ServeSpec, env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<void> {
  const { nodes, unreachable } = await nodeFirewalls(engine, spec, env);
  const problems = unreachable.map((n) => `${n}: no SSH target in "nodes" (and it is not this machine's engine with serve as root)`);
  for (const f of nodes) {
    const problem = await iptablesProblem(f.iptables).catch((err: Error) => err.message.split('\n')[0]);
    if (problem) problems.push(`${nodeLabel(f.node)} via ${f.via}: ${problem}`);
  }
  if (problems.length) {
    throw new UserError(`serve cannot fence in its visitors on every swarm node, so a notebook could reach the nodes' ports and other visitors' published ports: ${problems.join('; ')}`, {
      hint: 'give each node an SSH target (root) in "nodes" of the serve config, or, if you filter docker_gwbridge on the nodes yourself, set "network": { "host-firewall": false }',
    });
  }
  const addrs = nodes.map((f) => f.node.addr);
  for (const f of nodes) {
    await applyRules(f.iptables, spec.name, swarmNodeRules(spec.name, addrs), false);
    log(`firewall rules on ${nodeLabel(f.node)} (${f.via})`);
  }
}

/** Remove the rules from every node serve can reach (a node it cannot is named in the result). */
export async function unfenceSwarm(engine: Engine, spec: ServeSpec, env: NodeJS.ProcessEnv): Promise<{ removed: number; missed: string[] }> {
  const { nodes, unreachable } = await nodeFirewalls(engine, spec, env);
  let removed = 0;
  const missed = [...unreachable];
  for (const f of nodes) {
    try {
      removed += await removeRules(f.iptables, spec.name);
    } catch {
      missed.push(nodeLabel(f.node));
    }
  }
  return { removed, missed };
}
