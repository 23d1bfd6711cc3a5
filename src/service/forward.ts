// A visitor request that came through node's http server, forwarded to a notebook server
// (exchange.ts) and answered through node's ServerResponse: status, reason and fields as
// received less this hop's own, the body decoded and framed again by node, with backpressure
// both ways. The request body is streamed as it comes (chunked again if node decoded it).
// Failures go to `failed`; a visitor who goes away ends the upstream connection, nothing else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type net from 'node:net';
import { Exchange, type ResponseSink } from './exchange.js';
import { connectionTokens, HOP_BY_HOP, upstreamRequest } from './upstream-request.js';
import type { ResponseHead } from './upstream-response.js';
import type { Target, UpstreamSockets } from './upstream-sockets.js';

export type ForwardFailed = (err: Error, res: ServerResponse) => void;

export function forward(req: IncomingMessage, res: ServerResponse, target: Target, sockets: UpstreamSockets, failed: ForwardFailed): void {
  const out = upstreamRequest(req, target);
  const ex = new Exchange({ target, sockets, method: req.method ?? 'GET', head: out.head, hasBody: out.body !== 'none', sink: new NodeSink(res, failed) });
  const gone = () => ex.cancel();
  res.on('close', gone);
  const stopBody = out.body === 'none' ? undefined : sendBody(req, ex.conn.socket, out.body === 'chunked', () => (ex.bodySent = true));
  ex.onSettled = () => {
    res.removeListener('close', gone);
    stopBody?.();
  };
}


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

class NodeSink implements ResponseSink {
  readonly raw = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly failed: ForwardFailed,
  ) {}

  get started(): boolean {
    return this.res.headersSent;
  }

  head(h: ResponseHead): void {
    this.res.writeHead(h.status, h.message || undefined, responseHeaders(h.headers));
  }

  body(chunk: Buffer, drained: () => void): boolean {
    if (this.res.write(chunk)) return true;
    this.res.once('drain', drained);
    return false;
  }

  end(tail: Buffer | undefined): void {
    this.res.end(tail);
  }

  fail(err: Error): void {
    this.failed(err, this.res);
  }

  // node corks the response's socket itself.
  cork(): void {}
  uncork(): void {}
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
