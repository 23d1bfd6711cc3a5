// The waiting line when no notebook is free: first come, first served. Tickets live in a Map
// (insertion order is the line's order) with their place kept up to date when the line
// changes, so a poll never scans it. A ticket whose page stopped asking for `abandonMs` loses
// its place (before a container is given to it); a served ticket's URL is handed out once.
import { randomBytes } from 'node:crypto';

export interface Ticket {
  id: string;
  createdAt: number;
  lastSeen: number;
  /** Place in line, 1 = next (kept current by the queue). */
  position: number;
  /** Set once a notebook is handed to this ticket. */
  route?: string;
}

export type TicketState = { waiting: number } | { served: string } | undefined;

export class WaitQueue {
  private readonly line = new Map<string, Ticket>();
  private readonly served = new Map<string, Ticket>();

  constructor(private readonly abandonMs = 10_000) {}

  get length(): number {
    return this.line.size;
  }

  add(now = Date.now()): Ticket {
    const t: Ticket = { id: randomBytes(12).toString('hex'), createdAt: now, lastSeen: now, position: this.line.size + 1 };
    this.line.set(t.id, t);
    return t;
  }

  /**
   * A visitor's page asks: its place (touching the ticket), or, once served, the route —
   * handed out this once (the ticket is then forgotten).
   */
  look(id: string, now = Date.now()): { position: number; route?: string } | undefined {
    const served = this.served.get(id);
    if (served) {
      this.served.delete(id);
      return { position: 0, route: served.route };
    }
    const t = this.line.get(id);
    if (!t) return undefined;
    t.lastSeen = now;
    return { position: t.position };
  }

  /** Where a ticket stands, without touching it or handing anything out. */
  peek(id: string): TicketState {
    const served = this.served.get(id);
    if (served) return { served: served.route! };
    const t = this.line.get(id);
    return t ? { waiting: t.position } : undefined;
  }

  /** The next visitor in line (removed from the line, remembered as served until it looks). */
  next(route: string): Ticket | undefined {
    const first = this.line.values().next();
    if (first.done) return undefined;
    const t = first.value;
    this.line.delete(t.id);
    t.route = route;
    t.position = 0;
    this.served.set(t.id, t);
    this.renumber();
    return t;
  }

  /** Drop tickets nobody asks about any more (and served ones never collected). */
  expire(now = Date.now()): number {
    let dropped = 0;
    for (const [id, t] of this.line) {
      if (now - t.lastSeen > this.abandonMs) {
        this.line.delete(id);
        dropped++;
      }
    }
    if (dropped) this.renumber();
    for (const [id, t] of this.served) if (now - t.lastSeen > 3_600_000) this.served.delete(id);
    return dropped;
  }

  private renumber(): void {
    let i = 1;
    for (const t of this.line.values()) t.position = i++;
  }
}
