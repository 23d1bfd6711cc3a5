// The fast lane: visitor requests without a body, read and answered on the connection itself,
// without node's http server in between (per request, node's server costs more than the rest
// of the proxy hop: see bench/serve.ts). A connection stays in the lane while its requests
// qualify (request-head.ts, and a notebook to send them to); at the first that does not, or a
// head that did not arrive whole, the connection goes to node's http server for good, with the
// bytes read so far, and every request on it is handled as before (proxy.web, the routes,
// WebSocket upgrades). Responses pass as they come: the head rebuilt without this hop's own
// fields, the body as on the wire (its framing checked on the way, exchange.ts).
import type net from 'node:net';
import { Exchange, type ResponseSink } from './exchange.js';
import { laneRequest, MAX_LANE_HEAD } from './request-head.js';
import { connectionTokens } from './upstream-request.js';
import type { ResponseHead } from './upstream-response.js';
import type { Target, UpstreamSockets } from './upstream-sockets.js';

export interface LaneDeps {
  sockets: UpstreamSockets;
  /** Where a request goes (its activity and metrics counted), or undefined: not for the lane. */
  route(url: string): Target | undefined;
  /** A request could not reach its notebook: count it, and the page to answer with. */
  unreachable(): string;
  /** Idle time before a kept-alive connection is closed (node's server.keepAliveTimeout). */
  keepAliveMs(): number;
}

export class FastLane {
  private readonly open = new Set<LaneConnection>();
  private closing = false;

  constructor(readonly d: LaneDeps) {}

  /** A new connection; `toNode` gives it to node's http server. */
  take(socket: net.Socket, toNode: () => void): void {
    if (this.closing) toNode();
    else this.open.add(new LaneConnection(socket, this, toNode));
  }

  forget(c: LaneConnection): void {
    this.open.delete(c);
  }

  /** Stop: idle connections close now, busy ones after their response. */
  close(): void {
    this.closing = true;
    for (const c of this.open) c.endSoon();
  }

  get isClosing(): boolean {
    return this.closing;
  }
}

const HOP_BY_HOP = /\r\n(?:connection|keep-alive|proxy-connection|upgrade):[^\r]*/gi;
const LENGTH = /\r\ncontent-length:[^\r]*/gi;

/** The response head for the visitor: as received (and checked, upstream-response.ts) less this
 *  hop's fields, plus its own. The body keeps its framing, so the length and coding fields stay. */
export function laneResponseHead(h: ResponseHead, keepAlive: boolean): string {
  let fields = h.fields;
  if (h.connection && h.connection !== 'keep-alive' && h.connection !== 'close') {
    // Fields named in Connection are this hop's too: the general way.
    const named = connectionTokens(h.connection)!;
    const list = h.headers;
    fields = '';
    for (let i = 0; i < list.length; i += 2) if (!named.has(list[i].toLowerCase())) fields += `\r\n${list[i]}: ${list[i + 1]}`;
  }
  fields = fields.replace(HOP_BY_HOP, '');
  if (h.framing === 'chunked') fields = fields.replace(LENGTH, '');
  return `${h.statusLine}${fields}\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`;
}

class LaneConnection {
  private buf: Buffer | undefined;
  private busy: Exchange | undefined;
  /** Close after the current response: asked for, or the response needs it, or we stop. */
  private ending = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly lane: FastLane,
    private readonly toNode: () => void,
  ) {
    socket.on('data', this.onData).on('end', this.onEnd).on('error', this.onError).on('close', this.onClose).on('timeout', this.onTimeout);
    socket.setTimeout(lane.d.keepAliveMs());
  }

  endSoon(): void {
    this.ending = true;
    if (!this.busy) this.socket.end();
  }

  /** The response went out whole (or the 502 page did); on to the next request, if any. */
  done(): void {
    this.busy = undefined;
    if (this.socket.destroyed) return;
    if (this.ending || this.lane.isClosing) {
      this.socket.end();
      return;
    }
    if (this.socket.isPaused()) this.socket.resume();
    this.next();
  }

  unreachable(): string {
    return this.lane.d.unreachable();
  }

  private readonly onData = (chunk: Buffer) => {
    this.buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    if (!this.busy) this.next();
    else if (this.buf.length > MAX_LANE_HEAD) this.socket.pause(); // requests piling up behind this one
  };

  private next(): void {
    const buf = this.buf;
    if (!buf || this.busy || this.ending) return;
    const end = buf.indexOf('\r\n\r\n');
    const req = end >= 0 && end <= MAX_LANE_HEAD ? laneRequest(buf.toString('latin1', 0, end), this.socket.remoteAddress) : undefined;
    const target = req ? this.lane.d.route(req.url) : undefined;
    if (!req || !target) {
      this.handOver();
      return;
    }
    this.buf = end + 4 < buf.length ? buf.subarray(end + 4) : undefined;
    if (req.close) this.ending = true;
    this.busy = new Exchange({
      target,
      sockets: this.lane.d.sockets,
      method: req.method,
      head: req.upstream,
      hasBody: false,
      sink: new SocketSink(this, this.socket),
    });
  }

  /** Give the connection, and what was read of it, to node's http server. */
  private handOver(): void {
    const s = this.socket;
    s.removeListener('data', this.onData).removeListener('end', this.onEnd).removeListener('error', this.onError).removeListener('close', this.onClose).removeListener('timeout', this.onTimeout);
    s.setTimeout(0);
    this.lane.forget(this);
    if (this.buf) s.unshift(this.buf);
    this.buf = undefined;
    this.toNode();
    s.resume();
  }

  /** Whether the visitor may send another request on this connection. */
  get keepAlive(): boolean {
    return !this.ending && !this.lane.isClosing;
  }

  /** The response cannot be framed for keep-alive (it ends with the connection). */
  closeAfter(): void {
    this.ending = true;
  }

  // The visitor closed its side: as node's server does (httpAllowHalfOpen false), what is under
  // way is dropped and the connection closed.
  private readonly onEnd = () => {
    this.busy?.cancel();
    this.busy = undefined;
    this.buf = undefined;
    this.socket.end();
  };

  private readonly onError = () => this.socket.destroy();

  private readonly onClose = () => {
    this.lane.forget(this);
    this.busy?.cancel();
    this.busy = undefined;
  };

  private readonly onTimeout = () => {
    if (!this.busy) this.socket.destroy();
  };
}

/** The visitor's socket as the sink of a response. */
class SocketSink implements ResponseSink {
  readonly raw = true;
  started = false;
  private head_: string | Buffer | undefined;

  constructor(
    private readonly c: LaneConnection,
    private readonly socket: net.Socket,
  ) {}

  head(h: ResponseHead): void {
    if (h.framing === 'close') this.c.closeAfter();
    // Usually the head goes on byte for byte (keep-alive is HTTP/1.1's default).
    this.head_ = h.plain && this.c.keepAlive ? h.bytes : laneResponseHead(h, this.c.keepAlive);
  }

  body(chunk: Buffer, drained: () => void): boolean {
    this.flushHead();
    if (this.socket.write(chunk)) return true;
    this.socket.once('drain', drained);
    return false;
  }

  end(tail: Buffer | undefined): void {
    const head = this.head_;
    if (tail && head instanceof Buffer && head.buffer === tail.buffer && head.byteOffset + head.length === tail.byteOffset) {
      // Head and body came in one piece and go on as they came: one write.
      this.head_ = undefined;
      this.started = true;
      this.socket.write(Buffer.from(head.buffer, head.byteOffset, head.length + tail.length));
    } else {
      this.flushHead();
      if (tail) this.socket.write(tail);
    }
    this.c.done();
  }

  fail(): void {
    this.head_ = undefined;
    const page = this.c.unreachable();
    if (this.started) {
      this.socket.destroy(); // part of a response went out: cut it short, visibly
      return;
    }
    this.socket.write(
      `HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(page)}\r\nConnection: ${this.c.keepAlive ? 'keep-alive' : 'close'}\r\n\r\n${page}`,
    );
    this.c.done();
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  private flushHead(): void {
    if (this.head_ === undefined) return;
    if (typeof this.head_ === 'string') this.socket.write(this.head_, 'latin1');
    else this.socket.write(this.head_);
    this.head_ = undefined;
    this.started = true;
  }
}
