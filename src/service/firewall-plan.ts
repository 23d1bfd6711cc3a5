// The host firewall rules for a service's network, as plain data (unit-tested). Visitors'
// containers reach the internet (when network.internet allows) but not:
// - the host itself, on any of its addresses and ports (INPUT: nothing new from the bridge;
//   replies to the proxy's own connections pass),
// - ports the host publishes for other containers (DOCKER-USER: no DNAT'ed connection
//   started from the bridge),
// - link-local addresses such as the cloud metadata service 169.254.169.254 (DOCKER-USER).
// Every rule carries the comment "transferctl serve NAME", which is how they are found again.
export interface FirewallRule {
  chain: 'INPUT' | 'DOCKER-USER';
  /** iptables arguments after `-I CHAIN 1`. */
  args: string[];
}

export const firewallComment = (service: string) => `transferctl serve ${service}`;

export function firewallRules(service: string, bridge: string): FirewallRule[] {
  const tag = ['-m', 'comment', '--comment', firewallComment(service)];
  return [
    { chain: 'INPUT', args: ['-i', bridge, '-m', 'conntrack', '!', '--ctstate', 'ESTABLISHED,RELATED', ...tag, '-j', 'DROP'] },
    { chain: 'DOCKER-USER', args: ['-i', bridge, '-m', 'conntrack', '--ctstate', 'DNAT', '--ctdir', 'ORIGINAL', ...tag, '-j', 'DROP'] },
    { chain: 'DOCKER-USER', args: ['-i', bridge, '-d', '169.254.0.0/16', ...tag, '-j', 'DROP'] },
  ];
}

/** Swarm's bridge on every node: a task's way out (and in, for host-mode published ports). */
export const SWARM_BRIDGE = 'docker_gwbridge';

/**
 * A swarm node's rules (backend "swarm"): the same three on Swarm's gateway bridge, plus no new
 * connection from it to any node's address (`nodeAddrs`: the other nodes' own ports and the
 * host-mode ports other visitors' notebooks publish there). Replies to the proxy pass: the
 * proxy's connections arrive from outside the bridge, and their answers are ESTABLISHED.
 * They hold for every Swarm task on the node, so the nodes should be the workshop's own.
 */
export function swarmNodeRules(service: string, nodeAddrs: string[]): FirewallRule[] {
  const tag = ['-m', 'comment', '--comment', firewallComment(service)];
  const toNodes = [...new Set(nodeAddrs.filter(Boolean))].map((addr): FirewallRule => ({
    chain: 'DOCKER-USER',
    args: ['-i', SWARM_BRIDGE, '-d', addr, '-m', 'conntrack', '!', '--ctstate', 'ESTABLISHED,RELATED', ...tag, '-j', 'DROP'],
  }));
  return [...firewallRules(service, SWARM_BRIDGE), ...toNodes];
}

/** The `-D` arguments for every line of `iptables -S CHAIN` that carries this service's comment. */
export function rulesToDelete(listing: string, service: string): string[][] {
  const quoted = `"${firewallComment(service)}"`;
  const out: string[][] = [];
  for (const line of listing.split('\n')) {
    if (!line.startsWith('-A ') || !line.includes(`--comment ${quoted}`)) continue;
    const words = (line.match(/"[^"]*"|\S+/g) ?? []).map((w) => (w.startsWith('"') ? w.slice(1, -1) : w));
    out.push(['-D', ...words.slice(1)]);
  }
  return out;
}
