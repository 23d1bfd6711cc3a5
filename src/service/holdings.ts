// What each client holds: one live notebook or place in line per browser (a cookie), and how
// many an address holds (for the optional per-address cap). Entries whose notebook ended or
// whose ticket was dropped are forgotten on the next look.
export interface Holding {
  browser: string;
  address: string;
  route?: string;
  ticket?: string;
}

export interface HoldingsDeps {
  /** Is this notebook still handed out? */
  routeLive(route: string): boolean;
  /** Is this ticket still waiting or served but not collected? */
  ticketLive(ticket: string): boolean;
}

export class Holdings {
  private readonly byBrowser = new Map<string, Holding>();
  private readonly byTicket = new Map<string, Holding>();
  private readonly byAddress = new Map<string, Set<Holding>>();

  constructor(private readonly d: HoldingsDeps) {}

  private live(h: Holding): boolean {
    if (h.route !== undefined) return this.d.routeLive(h.route);
    return h.ticket !== undefined && this.d.ticketLive(h.ticket);
  }

  private forget(h: Holding): void {
    if (this.byBrowser.get(h.browser) === h) this.byBrowser.delete(h.browser);
    if (h.ticket !== undefined && this.byTicket.get(h.ticket) === h) this.byTicket.delete(h.ticket);
    const set = this.byAddress.get(h.address);
    set?.delete(h);
    if (set?.size === 0) this.byAddress.delete(h.address);
  }

  /** What this browser holds now, if anything. */
  of(browser: string): Holding | undefined {
    const h = this.byBrowser.get(browser);
    if (h && !this.live(h)) {
      this.forget(h);
      return undefined;
    }
    return h;
  }

  /** How many live notebooks and places in line an address holds. */
  countAt(address: string): number {
    const set = this.byAddress.get(address);
    if (!set) return 0;
    for (const h of set) if (!this.live(h)) this.forget(h);
    return this.byAddress.get(address)?.size ?? 0;
  }

  record(browser: string, address: string, what: { route: string } | { ticket: string }): void {
    const old = this.byBrowser.get(browser);
    if (old) this.forget(old);
    const h: Holding = { browser, address, ...what };
    this.byBrowser.set(browser, h);
    if (h.ticket !== undefined) this.byTicket.set(h.ticket, h);
    let set = this.byAddress.get(address);
    if (!set) this.byAddress.set(address, (set = new Set()));
    set.add(h);
  }

  /** A ticket was served this route: its holder now holds the notebook. */
  served(ticket: string, route: string): void {
    const h = this.byTicket.get(ticket);
    if (!h) return;
    this.byTicket.delete(ticket);
    h.ticket = undefined;
    h.route = route;
  }

  /** Forget everything that ended (called now and then). */
  sweep(): void {
    for (const h of this.byBrowser.values()) if (!this.live(h)) this.forget(h);
  }

  get size(): number {
    return this.byBrowser.size;
  }
}
