// `-p [address:][hostPort:]containerPort[/protocol]` → port bindings. Ranges allowed.
// Without an address the port is bound to 127.0.0.1 (this machine only), never to all
// interfaces: `-p 0.0.0.0:8888:8888` opens it to the network on purpose.
import { ArgError } from './flags.js';

export interface PortSpec {
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  hostIp: string;
  /** 0: the engine picks a free port. */
  hostPort: number;
  /** The address was written out (not the 127.0.0.1 default). */
  explicitAddress: boolean;
}

export const DEFAULT_PORT_ADDRESS = '127.0.0.1';
const EXAMPLE = '-p 8888:8888, -p 127.0.0.1:8080:80, -p 0.0.0.0:8888:8888 or -p 5000-5001:5000-5001/udp';

function range(text: string, what: string, spec: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m?.[2] ? Number(m[2]) : lo;
  const ok = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;
  if (!m || !ok(lo) || !ok(hi) || hi < lo) {
    throw new ArgError(`"${spec}": ${what} "${text}" is not a port (1–65535) or a range like 8000-8010`, `write ports as ${EXAMPLE}`);
  }
  return [lo, hi];
}

export function parsePortSpec(spec: string): PortSpec[] {
  let rest = spec.trim();
  let protocol: PortSpec['protocol'] = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp' && p !== 'sctp') throw new ArgError(`"${spec}": unknown protocol "${p}" (tcp, udp or sctp)`, `write ports as ${EXAMPLE}`);
    protocol = p;
    rest = rest.slice(0, slash);
  }
  let address: string | undefined;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(.*)$/.exec(rest);
  if (v6) {
    address = v6[1];
    rest = v6[2];
  }
  const parts = rest.split(':');
  if (!address && parts.length === 3) address = parts.shift();
  if (parts.length > 2 || (address !== undefined && parts.length !== 2) || (!v6 && address === '')) {
    throw new ArgError(`"${spec}" is not a port mapping`, `write ports as ${EXAMPLE}`);
  }
  if (address !== undefined && !/^[0-9.]+$|^[0-9a-fA-F:]+$/.test(address)) {
    throw new ArgError(`"${spec}": "${address}" is not an IP address`, 'use an address such as 127.0.0.1 or 0.0.0.0');
  }
  const containerText = parts.pop()!;
  const hostText = parts.pop();
  const [cLo, cHi] = range(containerText, 'container port', spec);
  const host = hostText ? range(hostText, 'host port', spec) : undefined;
  if (host && host[1] - host[0] !== cHi - cLo) {
    throw new ArgError(`"${spec}": the host range and the container range differ in length`, `write ports as ${EXAMPLE}`);
  }
  const out: PortSpec[] = [];
  for (let p = cLo; p <= cHi; p++) {
    out.push({
      containerPort: p,
      protocol,
      hostIp: address ?? DEFAULT_PORT_ADDRESS,
      hostPort: host ? host[0] + (p - cLo) : 0,
      explicitAddress: address !== undefined,
    });
  }
  return out;
}
