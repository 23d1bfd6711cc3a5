// The route table behind the proxy: pluggable, with an in-memory default (like
// configurable-http-proxy's BaseStore / MemoryStore). The durable copy is in container labels
// and names, which a restarted service reads back (see adopt.ts).
import type { Session } from './session.js';

export interface RouteStore {
  get(route: string): Session | undefined;
  set(session: Session): void;
  delete(route: string): void;
  list(): Session[];
}

export class MemoryStore implements RouteStore {
  private readonly routes = new Map<string, Session>();
  get(route: string): Session | undefined {
    return this.routes.get(route);
  }
  set(session: Session): void {
    this.routes.set(session.route, session);
  }
  delete(route: string): void {
    this.routes.delete(route);
  }
  list(): Session[] {
    return [...this.routes.values()];
  }
}
