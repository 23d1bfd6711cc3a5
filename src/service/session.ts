// A visitor notebook: one container, one route, one token.
export type SessionState = 'starting' | 'warm' | 'assigned';

export interface Session {
  /** Random, unguessable: the visitor's URL is /user/ROUTE/. */
  route: string;
  token: string;
  containerId: string;
  containerName: string;
  /** Where the proxy sends traffic (see target.ts). */
  target: { host: string; port: number };
  /** The port published on the engine host (127.0.0.1 only). */
  hostPort: number;
  /** The swarm node it runs on ("backend": "swarm"). */
  node?: string;
  state: SessionState;
  createdAt: number;
  assignedAt?: number;
  /** Last proxied request or WebSocket frame. */
  lastActivity: number;
}

export const basePath = (route: string) => `/user/${route}/`;
