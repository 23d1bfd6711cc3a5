// Where the proxy sends a visitor's traffic. Two ways, both verified here:
// - the container's address on the service network (local Linux engines: one hop less than
//   the published port, whose docker-proxy adds its own copy), or
// - the port published on 127.0.0.1 (works for every engine, including remote ones).
// "auto" takes the address when the engine is local on Linux, else the published port.
import type { Engine } from '../engine/index.js';
import type { ServeSpec } from './config.js';
import { networkName } from './labels.js';

export type ProxyTo = 'auto' | 'address' | 'port';

export function wantsAddress(engine: Engine, mode: ProxyTo, platform: NodeJS.Platform = process.platform): boolean {
  if (mode === 'port') return false;
  if (mode === 'address') return true;
  return engine.isLocal && platform === 'linux';
}

export async function chooseTarget(
  engine: Engine,
  spec: ServeSpec,
  containerId: string,
  published: { host: string; port: number },
): Promise<{ host: string; port: number }> {
  if (!wantsAddress(engine, spec.proxyTo)) return published;
  const ip = (await engine.containers.addresses(containerId))[networkName(spec.name)];
  return ip ? { host: ip, port: spec.jupyter.port } : published;
}
