// A visitor's notebook on a Docker Swarm, as plain data (unit-tested): one service with one
// replica on its own overlay network (visitors share no network), the notebook port published
// in host mode on whichever node runs it (the ingress mesh is not used), limits and memory
// reservation from `limits`, placement in Swarm's own syntax, never restarted.
import type { Labels, RegistryAuth, ServiceCreateSpec } from '../../engine/index.js';
import type { ServeSpec } from '../config.js';
import { poolLabels, warmName } from '../labels.js';
import { planPoolContainer, type NewIdentity } from '../spawn-plan.js';

export const SWARM_LABELS = {
  /** On a service: when (ms since the epoch) it was handed to a visitor; services cannot be renamed. */
  assigned: 'org.transferctl.serve.assigned',
  /** On a visitor's overlay network: the route it belongs to. */
  route: 'org.transferctl.serve.route',
} as const;

/** The overlay of one visitor: `tcs-NAME-ROUTE` (a name per visitor, like the service's). */
export const visitorNetworkName = (service: string, route: string) => warmName(service, route);

export function visitorNetworkLabels(service: string, route: string): Labels {
  return { ...poolLabels(service, route, 0), [SWARM_LABELS.route]: route };
}

export function planSwarmService(spec: ServeSpec, id: NewIdentity, command: string[], auth?: RegistryAuth): ServiceCreateSpec {
  // The same server, labels and limits as a one-engine container; only the wiring differs.
  const c = planPoolContainer(spec, id, command);
  const labels = c.labels ?? {};
  return {
    name: c.name!,
    image: spec.image,
    command: c.cmd ?? [],
    env: c.env ?? {},
    labels,
    containerLabels: labels,
    user: c.user,
    networks: [visitorNetworkName(spec.name, id.route)],
    hostPorts: [spec.jupyter.port],
    limits: { nanoCpus: c.nanoCpus, memoryBytes: c.memoryBytes, pids: c.pidsLimit },
    // Memory is reserved (a node is not filled past what it holds); CPU time is shared.
    reservations: { memoryBytes: c.memoryBytes },
    placement: { constraints: spec.swarm?.constraints ?? [], preferences: spec.swarm?.preferences ?? [] },
    capDrop: c.capDrop,
    init: c.init,
    auth,
  };
}
