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
