// Networks, through the Engine API.
import type Docker from 'dockerode';
import { call, callOrNull } from './errors.js';
import type { EngineEndpoint, Labels } from './types.js';

export interface NetworkSummary {
  id: string;
  name: string;
  labels: Labels;
  internal: boolean;
  /** Whether the network gives its containers IPv6 (EnableIPv6). */
  ipv6: boolean;
  options: Record<string, string>;
  /** The host's interface of a local bridge network (for host firewall rules), else undefined. */
  bridge?: string;
}

export interface NetworkApi {
  list(filter?: { labels?: string[]; name?: string }): Promise<NetworkSummary[]>;
  create(name: string, opts?: { labels?: Labels; internal?: boolean; ipv6?: boolean; options?: Record<string, string>; driver?: string; attachable?: boolean }): Promise<string>;
  remove(idOrName: string): Promise<void>;
  connect(network: string, container: string, aliases?: string[]): Promise<void>;
  /** Address of the container on that network, if attached. */
  inspect(idOrName: string): Promise<NetworkSummary | null>;
}

export function networkApi(docker: Docker, ep: EngineEndpoint): NetworkApi {
  const map = (n: Docker.NetworkInspectInfo): NetworkSummary => ({
    id: n.Id,
    name: n.Name,
    labels: n.Labels ?? {},
    internal: n.Internal,
    ipv6: n.EnableIPv6 ?? false,
    options: n.Options ?? {},
    bridge: n.Driver === 'bridge' ? (n.Options?.['com.docker.network.bridge.name'] ?? `br-${n.Id.slice(0, 12)}`) : undefined,
  });
  return {
    async list(filter = {}) {
      const filters: Record<string, string[]> = {};
      if (filter.labels) filters.label = filter.labels;
      if (filter.name) filters.name = [filter.name];
      const list = await call(ep, 'list networks', () => docker.listNetworks({ filters }));
      return list.map(map);
    },
    async create(name, opts = {}) {
      const n = await call(ep, `create network ${name}`, () =>
        docker.createNetwork({ Name: name, Labels: opts.labels, Internal: opts.internal, EnableIPv6: opts.ipv6, Options: opts.options, Driver: opts.driver, Attachable: opts.attachable, CheckDuplicate: true }),
      );
      return n.id;
    },
    async remove(idOrName) {
      await callOrNull(ep, `remove network ${idOrName}`, () => docker.getNetwork(idOrName).remove());
    },
    async connect(network, container, aliases) {
      await call(ep, `connect ${container} to ${network}`, () =>
        docker.getNetwork(network).connect({ Container: container, EndpointConfig: aliases ? { Aliases: aliases } : undefined }),
      );
    },
    async inspect(idOrName) {
      const n = await callOrNull(ep, `inspect network ${idOrName}`, () => docker.getNetwork(idOrName).inspect());
      return n ? map(n) : null;
    },
  };
}
