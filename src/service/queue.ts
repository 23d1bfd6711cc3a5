// The waiting line when no notebook is free: first come, first served; a ticket whose page
// stopped asking for a while is dropped (the visitor left).
import { randomBytes } from 'node:crypto';

export interface Ticket {
  id: string;
  createdAt: number;
  lastSeen: number;
  /** Set once a notebook is handed to this ticket. */
  route?: string;
}

export class WaitQueue {
  private readonly line: Ticket[] = [];
  private readonly served = new Map<string, Ticket>();

  constructor(private readonly abandonMs = 30_000) {}

  get length(): number {
    return this.line.length;
  }

  add(now = Date.now()): Ticket {
    const t: Ticket = { id: randomBytes(12).toString('hex'), createdAt: now, lastSeen: now };
    this.line.push(t);
    return t;
  }

  /** Position (1 = next) and, once served, the route. Touches the ticket. */
  look(id: string, now = Date.now()): { position: number; route?: string } | undefined {
    const served = this.served.get(id);
    if (served) return { position: 0, route: served.route };
    const i = this.line.findIndex((t) => t.id === id);
    if (i < 0) return undefined;
    this.line[i].lastSeen = now;
    return { position: i + 1 };
  }

  /** The next visitor in line (removed from the line, remembered as served). */
  next(route: string): Ticket | undefined {
    const t = this.line.shift();
    if (!t) return undefined;
    t.route = route;
    this.served.set(t.id, t);
    return t;
  }

  /** Drop tickets nobody asks about any more. */
  expire(now = Date.now()): number {
    let dropped = 0;
    for (let i = this.line.length - 1; i >= 0; i--) {
      if (now - this.line[i].lastSeen > this.abandonMs) {
        this.line.splice(i, 1);
        dropped++;
      }
    }
    for (const [id, t] of this.served) if (now - t.lastSeen > 3_600_000) this.served.delete(id);
    return dropped;
  }
}
