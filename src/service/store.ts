// The route table behind the proxy: pluggable, with an in-memory default (like
// configurable-http-proxy's BaseStore / MemoryStore). The durable copy is in container labels
// and names, which a restarted service reads back (see adopt.ts). Sessions change only through
// these methods: activity is `touch`, never a write to a session the store handed out.
import type { Session } from './session.js';

export interface RouteStore {
  get(route: string): Session | undefined;
  set(session: Session): void;
  delete(route: string): void;
  list(): Session[];
  /** A visitor used the route at `at` (ms): every proxy path reports activity here. */
  touch(route: string, at: number): void;
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
  touch(route: string, at: number): void {
    const s = this.routes.get(route);
    if (s && at > s.lastActivity) s.lastActivity = at;
  }
}
