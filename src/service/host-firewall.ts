// Installs and removes a service's host firewall rules (firewall-plan.ts) with iptables: on the
// engine's own host for one engine, and on each swarm node (here or over ssh) for a swarm
// (backend/swarm-firewall.ts). Where that cannot work (a remote engine, not root, no iptables
// or no DOCKER-USER chain) serve refuses to start unless the operator says
// `network.host-firewall: false` (they filter the network themselves).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Engine } from '../engine/index.js';
import { UserError } from '../errors.js';
import { firewallRules, rulesToDelete, type FirewallRule } from './firewall-plan.js';

const run = promisify(execFile);

/** Runs `iptables -w ARGS` somewhere: here, or on a node over ssh. */
export type Iptables = (args: string[]) => Promise<{ stdout: string }>;

export const localIptables: Iptables = (args) => run('iptables', ['-w', ...args]);

export interface FirewallEnv {
  uid?: number;
  local: boolean;
}

/** Why iptables cannot take the rules there, or undefined when it can. */
export async function iptablesProblem(iptables: Iptables): Promise<string | undefined> {
  try {
    await iptables(['-S', 'DOCKER-USER']);
    await iptables(['-S', 'INPUT']);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') return 'iptables is not installed (or not on PATH)';
    return `iptables cannot read the DOCKER-USER chain (${(e.stderr ?? e.message).trim().split('\n')[0]})`;
  }
  return undefined;
}

/** Why the rules cannot be applied here, or undefined when they can. */
export async function firewallProblem(env: FirewallEnv): Promise<string | undefined> {
  if (!env.local) return 'the engine is not on this machine (its host needs the rules)';
  if (env.uid !== undefined && env.uid !== 0) return 'serve does not run as root (iptables needs it)';
  return iptablesProblem(localIptables);
}

export async function requireFirewall(engine: Engine, service: string, uid = process.getuid?.()): Promise<void> {
  const problem = await firewallProblem({ uid, local: engine.isLocal });
  if (!problem) return;
  throw new UserError(`serve cannot fence in its visitors' containers: ${problem}; they could reach this host's ports and the cloud metadata address`, {
    hint: `run serve as root on the engine's host, or, if you filter the network "tcs-${service}-net" yourself, set "network": { "host-firewall": false } in the serve config`,
  });
}

/** Remove this service's rules, then add `rules` (in their order, at the top of each chain). */
export async function applyRules(iptables: Iptables, service: string, rules: FirewallRule[]): Promise<void> {
  await removeRules(iptables, service);
  // Inserted at the top in reverse, so they end up in the plan's order.
  for (const r of [...rules].reverse()) await iptables(['-I', r.chain, '1', ...r.args]);
}

/** Remove every rule carrying this service's comment; the number removed. */
export async function removeRules(iptables: Iptables, service: string): Promise<number> {
  let n = 0;
  for (const chain of ['INPUT', 'DOCKER-USER']) {
    let listing: string;
    try {
      listing = (await iptables(['-S', chain])).stdout;
    } catch {
      continue; // no iptables or no such chain: nothing of ours there
    }
    for (const del of rulesToDelete(listing, service)) {
      await iptables(del);
      n++;
    }
  }
  return n;
}

/** Remove this service's rules (any bridge), then add them for `bridge`, on this host. */
export function applyFirewall(service: string, bridge: string): Promise<void> {
  return applyRules(localIptables, service, firewallRules(service, bridge));
}

/** Remove every rule of this service on this host; the number removed. */
export function removeFirewall(service: string): Promise<number> {
  return removeRules(localIptables, service);
}

/** Apply the rules to the service network as it is now (after it was made or re-made). */
export async function fenceNetwork(engine: Engine, service: string, network: string): Promise<void> {
  const net = await engine.networks.inspect(network);
  if (!net?.bridge) throw new UserError(`network ${network} is not a local bridge: serve cannot put firewall rules on it`);
  await applyFirewall(service, net.bridge);
}
