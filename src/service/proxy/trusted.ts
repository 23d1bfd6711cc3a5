// listen.trusted-proxies: the addresses (and CIDR ranges) whose X-Forwarded-* are believed.
// Every other peer's X-Forwarded-* is replaced by what this service sees itself.
import net from 'node:net';

export interface Trust {
  has(address: string | undefined): boolean;
}

/** "10.0.0.0/8", "127.0.0.1", "::1" … → a matcher (node's BlockList; no hand-made CIDR maths). */
export function trustedProxies(list: readonly string[]): Trust {
  if (list.length === 0) return { has: () => false };
  const block = new net.BlockList();
  for (const entry of list) {
    const [address, bits] = entry.split('/');
    const type = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (bits === undefined) block.addAddress(address, type);
    else block.addSubnet(address, Number(bits), type);
  }
  return {
    has(address) {
      if (!address) return false;
      const a = plainAddress(address);
      return block.check(a, net.isIPv6(a) ? 'ipv6' : 'ipv4');
    },
  };
}

/**
 * Fastify's `trustProxy` from the same list: req.ip, req.protocol and req.host believe
 * X-Forwarded-* only when the socket's peer (and each hop before it) is a trusted proxy.
 */
export function fastifyTrust(list: readonly string[]): false | ((address: string, hop: number) => boolean) {
  if (list.length === 0) return false;
  const trust = trustedProxies(list);
  return (address) => trust.has(address);
}

/** "::ffff:10.1.2.3" (an IPv4 peer on a dual-stack socket) → "10.1.2.3". */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** Whether a trusted-proxies entry is an address or a CIDR range (for the config's check). */
export function isAddressOrRange(entry: string): boolean {
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !net.isIP(address)) return false;
  if (bits === undefined) return true;
  const max = net.isIPv6(address) ? 128 : 32;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}
