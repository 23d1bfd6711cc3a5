// Installs and removes a service's host firewall rules (firewall-plan.ts) with iptables and
// ip6tables: on the engine's own host for one engine, and on each swarm node (here or over ssh)
// for a swarm (backend/swarm-firewall.ts). Where that cannot work (a remote engine, not root, no
// iptables or no DOCKER-USER chain) serve refuses to start unless the operator says
// `network.host-firewall: false` (they filter the network themselves).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Engine } from '../engine/index.js';
import { UserError } from '../errors.js';
import { FIREWALL_CHAINS, firewallRules, rulesToDelete, type FirewallRule } from './firewall-plan.js';

const run = promisify(execFile);

/** Runs `iptables -w ARGS` (family 4) or `ip6tables -w ARGS` (6) somewhere: here, or on a node over ssh. */
export type Iptables = (family: 4 | 6, args: string[]) => Promise<{ stdout: string }>;

export const localIptables: Iptables = (family, args) => run(family === 4 ? 'iptables' : 'ip6tables', ['-w', ...args]);
const iptables = (args: string[]) => localIptables(4, args);

/** Whether this kernel has IPv6 at all (booted with ipv6.disable=1 it has no /proc/sys/net/ipv6). */
const ipv6Here = () => existsSync('/proc/sys/net/ipv6');

export interface FirewallEnv {
  uid?: number;
  local: boolean;
  /** Whether the host has IPv6 (then ip6tables must work too); default: look. */
  ipv6?: boolean;
}

/** Why the rules cannot be applied here, or undefined when they can. */
export async function firewallProblem(env: FirewallEnv): Promise<string | undefined> {
  if (!env.local) return 'the engine is not on this machine (its host needs the rules)';
  if (env.uid !== undefined && env.uid !== 0) return 'serve does not run as root (iptables needs it)';
  try {
    await iptables(['-S', 'DOCKER-USER']);
    await iptables(['-S', 'INPUT']);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') return 'iptables is not installed (or not on PATH)';
    return `iptables cannot read the DOCKER-USER chain (${(e.stderr ?? e.message).trim().split('\n')[0]})`;
  }
  if (!(env.ipv6 ?? ipv6Here())) return undefined;
  try {
    await localIptables(6, ['-S', 'INPUT']);
    await localIptables(6, ['-S', 'FORWARD']);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') return 'ip6tables is not installed (or not on PATH), and this host has IPv6';
    return `ip6tables cannot read the INPUT chain (${(e.stderr ?? e.message).trim().split('\n')[0]})`;
  }
  return undefined;
}

export async function requireFirewall(engine: Engine, service: string, uid = process.getuid?.()): Promise<void> {
  const problem = await firewallProblem({ uid, local: engine.isLocal });
  if (!problem) return;
  throw new UserError(`serve cannot fence in its visitors' containers: ${problem}; they could reach this host's ports and the cloud metadata address`, {
    hint: `run serve as root on the engine's host, or, if you filter the network "tcs-${service}-net" yourself, set "network": { "host-firewall": false } in the serve config`,
  });
}

/** Why iptables cannot take IPv4 rules there (a swarm node over ssh), or undefined when it can. */
export async function iptablesProblem(ipt: Iptables): Promise<string | undefined> {
  try {
    await ipt(4, ['-S', 'DOCKER-USER']);
    await ipt(4, ['-S', 'INPUT']);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') return 'iptables is not installed (or not on PATH)';
    return `iptables cannot read the DOCKER-USER chain (${(e.stderr ?? e.message).trim().split('\n')[0]})`;
  }
  return undefined;
}

/** Remove this service's rules, then add `rules` (in their order, at the top of each chain);
 * IPv6 rules only where `ipv6` says the host has it (else nothing to filter, and no ip6tables). */
export async function applyRules(ipt: Iptables, service: string, rules: FirewallRule[], ipv6: boolean): Promise<void> {
  await removeRules(ipt, service);
  for (const r of [...rules].reverse()) {
    if (r.family === 6 && !ipv6) continue;
    await ipt(r.family, ['-I', r.chain, '1', ...r.args]);
  }
}

/** Remove every rule carrying this service's comment; the number removed. */
export async function removeRules(ipt: Iptables, service: string): Promise<number> {
  let n = 0;
  for (const { family, chain } of FIREWALL_CHAINS) {
    let listing: string;
    try {
      listing = (await ipt(family, ['-S', chain])).stdout;
    } catch {
      continue; // no iptables or no such chain: nothing of ours there
    }
    for (const del of rulesToDelete(listing, service)) {
      await ipt(family, del);
      n++;
    }
  }
  return n;
}

/** Remove this service's rules (any bridge), then add them for `bridge`, on this host. */
export function applyFirewall(service: string, bridge: string): Promise<void> {
  return applyRules(localIptables, service, firewallRules(service, bridge), ipv6Here());
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
