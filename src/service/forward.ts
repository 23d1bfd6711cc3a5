// One visitor request, forwarded to a notebook server on a keep-alive connection, and its
// response streamed back: status, reason and fields as received (less this hop's own), the
// body as it comes, with backpressure both ways. A connection that carried a response before
// and turns out closed is retried once on a new one when the request has no body (nothing
// was sent that could have been acted on). Failures go to `failed`; a visitor who goes away
// ends the upstream connection and nothing else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type net from 'node:net';
import { connectionTokens, upstreamRequest, type UpstreamRequest } from './upstream-request.js';
import { ResponseParser, type ResponseEvents, type ResponseHead } from './upstream-response.js';
import type { ConnectionUser, Target, UpstreamConnection, UpstreamSockets } from './upstream-sockets.js';

export type ForwardFailed = (err: Error, res: ServerResponse) => void;

export function forward(req: IncomingMessage, res: ServerResponse, target: Target, sockets: UpstreamSockets, failed: ForwardFailed): void {
  new Exchange(req, res, target, sockets, upstreamRequest(req, target), failed, true);
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** The response's own fields, less hop-by-hop ones (and Content-Length beside a transfer coding). */
export function responseHeaders(raw: string[]): string[] {
  let named: Set<string> | undefined;
  let coded = false;
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i].toLowerCase();
    if (lower === 'connection') named = connectionTokens(raw[i + 1]);
    else if (lower === 'transfer-encoding') coded = true;
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i].toLowerCase();
    if (HOP_BY_HOP.has(lower) || named?.has(lower) || (coded && lower === 'content-length')) continue;
    out.push(raw[i], raw[i + 1]);
  }
  return out;
}

const noop = () => {};

class Exchange implements ConnectionUser, ResponseEvents {
  private readonly conn: UpstreamConnection;
  private readonly parser: ResponseParser;
  private received = false;
  private settled = false;
  private bodySent: boolean;
  private stopBody = noop;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly target: Target,
    private readonly sockets: UpstreamSockets,
    private readonly out: UpstreamRequest,
    private readonly onFailed: ForwardFailed,
    private readonly mayRetry: boolean,
  ) {
    this.bodySent = out.body === 'none';
    this.parser = new ResponseParser(req.method ?? 'GET', this);
    this.conn = sockets.acquire(target, this);
    res.on('close', this.gone);
    this.conn.socket.write(out.head, 'latin1');
    if (out.body !== 'none') this.stopBody = sendBody(req, this.conn.socket, out.body === 'chunked', () => (this.bodySent = true));
  }

  // From the connection.
  data(chunk: Buffer): void {
    this.received = true;
    let done: boolean;
    try {
      done = this.parser.push(chunk);
    } catch (err) {
      this.failed(err as Error);
      return;
    }
    if (done && !this.settled) {
      this.settle();
      this.res.end();
      if (this.bodySent && this.parser.canReuse) this.sockets.release(this.conn);
      else this.sockets.discard(this.conn);
    }
  }

  closed(): void {
    if (this.settled) return;
    if (this.parser.close()) {
      this.settle();
      this.res.end();
      this.sockets.discard(this.conn);
    } else this.failed(new Error(this.received ? 'the notebook server closed the connection mid-response' : 'the notebook server closed the connection'));
  }

  failed(err: Error): void {
    if (this.settled) return;
    this.settle();
    this.sockets.discard(this.conn);
    const { req, res, out } = this;
    if (this.mayRetry && this.conn.reused && !this.received && out.body === 'none' && !res.headersSent) {
      new Exchange(req, res, this.target, this.sockets, out, this.onFailed, false);
      return;
    }
    this.onFailed(err, res);
  }

  // From the parser.
  head(h: ResponseHead): void {
    this.res.writeHead(h.status, h.message || undefined, responseHeaders(h.headers));
  }

  body(chunk: Buffer): void {
    if (!this.res.write(chunk)) {
      this.conn.socket.pause();
      this.res.once('drain', this.resume);
    }
  }

  private readonly resume = () => this.conn.socket.resume();

  /** The visitor went away (or the response was ended elsewhere): drop the upstream connection. */
  private readonly gone = () => {
    if (this.settled) return;
    this.settle();
    this.sockets.discard(this.conn);
  };

  private settle(): void {
    this.settled = true;
    this.res.removeListener('close', this.gone).removeListener('drain', this.resume);
    this.stopBody();
  }
}

/** Streams the request body (chunked again if node decoded it); returns a function that stops. */
function sendBody(req: IncomingMessage, socket: net.Socket, chunked: boolean, done: () => void): () => void {
  const resume = () => req.resume();
  const onData = (chunk: Buffer) => {
    if (chunk.length === 0) return;
    let ok: boolean;
    if (chunked) {
      socket.cork();
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      ok = socket.write('\r\n');
      socket.uncork();
    } else ok = socket.write(chunk);
    if (!ok) {
      req.pause();
      socket.once('drain', resume);
    }
  };
  const onEnd = () => {
    if (chunked) socket.write('0\r\n\r\n');
    done();
  };
  req.on('data', onData).once('end', onEnd);
  return () => {
    req.removeListener('data', onData).removeListener('end', onEnd);
    socket.removeListener('drain', resume);
    if (!req.complete) req.resume(); // the rest is read and dropped, so node can go on with the connection
  };
}
