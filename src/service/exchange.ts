// One request to a notebook server and its response, on a kept-alive connection: the request
// head goes out (its body, if any, is streamed by the caller), the response is read and given
// to a sink — node's ServerResponse (forward.ts) or the visitor's socket itself (fast-lane.ts).
// A connection that carried a response before and turns out closed is retried once on a new
// one when the request has no body and nothing reached the visitor yet: nothing was sent that
// could have been acted on.
import { ResponseParser, type ResponseEvents, type ResponseHead } from './upstream-response.js';
import type { ConnectionUser, Target, UpstreamConnection, UpstreamSockets } from './upstream-sockets.js';

/** Where a response goes. */
export interface ResponseSink {
  /** Takes the body as on the wire (true) or decoded (false). */
  readonly raw: boolean;
  /** Whether any of the response went out (then it can only be cut short). */
  readonly started: boolean;
  /** May throw when the head cannot be written; the exchange then fails. */
  head(h: ResponseHead): void;
  /** False: hold on until the sink calls `drained`. */
  body(chunk: Buffer, drained: () => void): boolean;
  /** The response is complete; `tail` is the last piece of a counted body, if held back. */
  end(tail: Buffer | undefined): void;
  /** It cannot be completed. */
  fail(err: Error): void;
  /** Around the handling of bytes from upstream, so that what they produce goes out at once. */
  cork(): void;
  uncork(): void;
}

export interface ExchangeOptions {
  target: Target;
  sockets: UpstreamSockets;
  method: string;
  head: string;
  hasBody: boolean;
  sink: ResponseSink;
}

const noop = () => {};

export class Exchange implements ConnectionUser, ResponseEvents {
  readonly conn: UpstreamConnection;
  /** Set by whoever streams the request body, once all of it went out. */
  bodySent: boolean;
  /** Called once when this exchange (or the one retrying it) is over, whichever way. */
  onSettled: () => void = noop;
  private readonly parser: ResponseParser;
  private received = false;
  private settled = false;
  private tail: Buffer | undefined;
  private retry: Exchange | undefined;

  constructor(
    private readonly o: ExchangeOptions,
    private readonly mayRetry = true,
  ) {
    this.bodySent = !o.hasBody;
    this.parser = new ResponseParser(o.method, this, o.sink.raw);
    this.conn = o.sockets.acquire(o.target, this);
    this.conn.socket.write(o.head, 'latin1');
  }

  /** The visitor went away: drop the upstream connection, answer nothing. */
  cancel(): void {
    if (this.retry) return this.retry.cancel();
    if (this.settled) return;
    this.settle();
    this.o.sockets.discard(this.conn);
  }

  // From the connection.
  data(chunk: Buffer): void {
    this.received = true;
    const { sink } = this.o;
    sink.cork();
    let done: boolean;
    try {
      done = this.parser.push(chunk);
    } catch (err) {
      sink.uncork();
      this.failed(err as Error);
      return;
    }
    if (done && !this.settled) {
      this.settle();
      sink.end(this.tail);
      if (this.bodySent && this.parser.canReuse) this.o.sockets.release(this.conn);
      else this.o.sockets.discard(this.conn);
    }
    sink.uncork();
  }

  closed(): void {
    if (this.settled) return;
    if (this.parser.close()) {
      this.settle();
      this.o.sink.end(this.tail);
      this.o.sockets.discard(this.conn);
    } else this.failed(new Error(this.received ? 'the notebook server closed the connection mid-response' : 'the notebook server closed the connection'));
  }

  failed(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.o.sockets.discard(this.conn);
    if (this.mayRetry && this.conn.reused && !this.received && !this.o.hasBody && !this.o.sink.started) {
      this.retry = new Exchange(this.o, false);
      this.retry.onSettled = this.onSettled;
      return;
    }
    this.onSettled();
    this.o.sink.fail(err);
  }

  // From the parser.
  head(h: ResponseHead): void {
    this.o.sink.head(h);
  }

  body(chunk: Buffer, last: boolean): void {
    if (last) this.tail = chunk;
    else if (!this.o.sink.body(chunk, this.resume)) this.conn.socket.pause();
  }

  private readonly resume = () => this.conn.socket.resume();

  private settle(): void {
    this.settled = true;
    this.onSettled();
  }
}
