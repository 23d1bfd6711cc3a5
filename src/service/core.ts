// What the HTTP routes need from the running service.
import type { NodeLoad } from './backend/swarm-nodes.js';
import type { ServeSpec } from './config.js';
import { hostSuffix, visitorBase } from './proxy/visitor-path.js';
import type { CullResult } from './culler.js';
import type { ServiceMetrics } from './metrics.js';
import type { Holdings } from './holdings.js';
import type { Pool } from './pool.js';
import type { Session } from './session.js';
import type { RouteStore } from './store.js';

export interface ServiceCore {
  spec: ServeSpec;
  store: RouteStore;
  pool: Pool;
  /** What each browser and address holds (one notebook per browser, the per-address cap). */
  holdings: Holdings;
  metrics: ServiceMetrics;
  adminToken: string;
  startedAt: number;
  /** Where a visitor lands under the base URL ("lab" or "tree"). */
  landing(): string;
  cullNow(routes?: string[]): Promise<CullResult>;
  /** Sessions and capacity per node ("backend": "swarm"). */
  nodes?(): Promise<NodeLoad[]>;
  engineOk(): Promise<boolean>;
}

/** The visitor's notebook URL: a path here, or (visitors.host) on the visitor's own subdomain. */
export function sessionUrl(core: ServiceCore, s: Session): string {
  return `${visitorBase(s.route, hostSuffix(core.spec.visitorsHost))}${core.landing()}?token=${s.token}`;
}

/** What the admin API shows of a session (the token only to the admin). */
export function sessionView(core: ServiceCore, s: Session) {
  return {
    route: s.route,
    state: s.state,
    container: s.containerName,
    containerId: s.containerId.slice(0, 12),
    node: s.node,
    url: s.state === 'assigned' ? sessionUrl(core, s) : undefined,
    createdAt: new Date(s.createdAt).toISOString(),
    assignedAt: s.assignedAt ? new Date(s.assignedAt).toISOString() : undefined,
    lastActivity: new Date(s.lastActivity).toISOString(),
  };
}
