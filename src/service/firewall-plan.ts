// The host firewall rules for a service's network, as plain data (unit-tested). Visitors'
// containers reach the internet (when network.internet allows) but not:
// - the host itself, on any of its addresses and ports (INPUT: nothing new from the bridge;
//   replies to the proxy's own connections pass),
// - ports the host publishes for other containers (DOCKER-USER: no DNAT'ed connection
//   started from the bridge),
// - link-local addresses such as the cloud metadata service 169.254.169.254 (DOCKER-USER),
// - anything over IPv6 (ip6tables INPUT and FORWARD: the network is IPv4-only, so IPv6 from
//   the bridge can only be a link-local path to the host's [::] listeners, left open where an
//   engine keeps IPv6 on in containers of IPv4-only networks, as Docker 26.0.0–26.0.1 did).
// Every rule carries the comment "transferctl serve NAME", which is how they are found again.
export interface FirewallRule {
  /** iptables (IPv4) or ip6tables (IPv6). */
  family: 4 | 6;
  chain: 'INPUT' | 'DOCKER-USER' | 'FORWARD';
  /** iptables arguments after `-I CHAIN 1`. */
  args: string[];
}

export const firewallComment = (service: string) => `transferctl serve ${service}`;

export function firewallRules(service: string, bridge: string): FirewallRule[] {
  const tag = ['-m', 'comment', '--comment', firewallComment(service)];
  return [
    { family: 4, chain: 'INPUT', args: ['-i', bridge, '-m', 'conntrack', '!', '--ctstate', 'ESTABLISHED,RELATED', ...tag, '-j', 'DROP'] },
    { family: 4, chain: 'DOCKER-USER', args: ['-i', bridge, '-m', 'conntrack', '--ctstate', 'DNAT', '--ctdir', 'ORIGINAL', ...tag, '-j', 'DROP'] },
    { family: 4, chain: 'DOCKER-USER', args: ['-i', bridge, '-d', '169.254.0.0/16', ...tag, '-j', 'DROP'] },
    { family: 6, chain: 'INPUT', args: ['-i', bridge, ...tag, '-j', 'DROP'] },
    { family: 6, chain: 'FORWARD', args: ['-i', bridge, ...tag, '-j', 'DROP'] },
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
    family: 4,
    chain: 'DOCKER-USER',
    args: ['-i', SWARM_BRIDGE, '-d', addr, '-m', 'conntrack', '!', '--ctstate', 'ESTABLISHED,RELATED', ...tag, '-j', 'DROP'],
  }));
  // IPv4 only: Swarm's overlays and gateway bridge are IPv4 unless the operator turned IPv6 on.
  return [...firewallRules(service, SWARM_BRIDGE).filter((r) => r.family === 4), ...toNodes];
}

/** Where this service's rules may be, per family (what --down looks through). */
export const FIREWALL_CHAINS: { family: 4 | 6; chain: FirewallRule['chain'] }[] = [
  { family: 4, chain: 'INPUT' },
  { family: 4, chain: 'DOCKER-USER' },
  { family: 6, chain: 'INPUT' },
  { family: 6, chain: 'FORWARD' },
];

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
