// Keep-alive connections to notebook servers, by address. A request takes an idle connection or
// opens one, and gives it back once its response is complete and the connection reusable.
// Each connection's listeners are set once, and pass events to whoever uses it at the time:
// nothing is added or removed per request. Idle connections do not keep the process alive and
// are dropped after IDLE_MS without traffic, when the server closes them, or when anything
// arrives on them unasked.
import net from 'node:net';

export interface Target {
  host: string;
  port: number;
}

/** The request a connection is busy with. */
export interface ConnectionUser {
  data(chunk: Buffer): void;
  /** The server closed its side (more may follow: `failed` or nothing). */
  closed(): void;
  failed(err: Error): void;
}

const IDLE_MS = 60_000;
const MAX_IDLE_PER_TARGET = 32;

export class UpstreamConnection {
  readonly socket: net.Socket;
  user: ConnectionUser | undefined;
  /** Carried a response before: the server may have closed it since. */
  reused = false;

  constructor(
    readonly key: string,
    t: Target,
    onGone: (c: UpstreamConnection) => void,
  ) {
    const s = net.connect({ host: t.host, port: t.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 30_000 });
    this.socket = s;
    s.setTimeout(IDLE_MS);
    s.on('data', (chunk: Buffer) => (this.user ? this.user.data(chunk) : s.destroy()));
    s.on('end', () => this.user?.closed());
    s.on('error', (err) => this.user?.failed(err));
    s.on('close', () => {
      onGone(this);
      this.user?.closed();
    });
    s.on('timeout', () => {
      if (!this.user) s.destroy();
    });
  }
}

export class UpstreamSockets {
  private readonly idle = new Map<string, UpstreamConnection[]>();
  private closed = false;
  private readonly gone = (c: UpstreamConnection) => {
    const list = this.idle.get(c.key);
    const i = list ? list.indexOf(c) : -1;
    if (i < 0) return;
    list!.splice(i, 1);
    if (list!.length === 0) this.idle.delete(c.key);
  };

  acquire(t: Target, user: ConnectionUser): UpstreamConnection {
    const k = `${t.host}:${t.port}`;
    let c = this.idle.get(k)?.pop();
    if (c) c.socket.ref();
    else c = new UpstreamConnection(k, t, this.gone);
    c.user = user;
    return c;
  }

  /** Between responses: back to the idle list. */
  release(c: UpstreamConnection): void {
    c.user = undefined;
    c.reused = true;
    const list = this.idle.get(c.key) ?? [];
    if (this.closed || c.socket.destroyed || !c.socket.writable || list.length >= MAX_IDLE_PER_TARGET) {
      c.socket.destroy();
      return;
    }
    c.socket.unref();
    if (c.socket.isPaused()) c.socket.resume(); // so that a close or stray bytes are noticed
    list.push(c);
    if (list.length === 1) this.idle.set(c.key, list);
  }

  /** Done with it, and with the connection. */
  discard(c: UpstreamConnection): void {
    c.user = undefined;
    c.socket.destroy();
  }

  close(): void {
    this.closed = true;
    for (const list of this.idle.values()) for (const c of list) c.socket.destroy();
    this.idle.clear();
  }
}
