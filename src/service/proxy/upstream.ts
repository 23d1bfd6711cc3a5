// The upstream side: one undici Pool (kept-alive connections, llhttp) per notebook, requests
// dispatched with a timeout for the response head and one for an idle body. A request that
// fails before any answer on a reused connection is sent again only when it is safe to
// (GET, HEAD, OPTIONS without a body); anything else gets the 502 page.
import type http from 'node:http';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

export interface UpstreamTimeouts {
  /** Longest wait for a notebook's response head. */
  headMs: number;
  /** Longest silence inside a response body. */
  idleBodyMs: number;
  connectMs: number;
}

export interface Target {
  host: string;
  port: number;
}

/** Why a forwarded request failed: it never reached the notebook, or the notebook took too long. */
export type Failure = 'unreachable' | 'timeout';

const RETRYABLE = new Set(['GET', 'HEAD', 'OPTIONS']);
const STALE = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);

export class Upstream {
  private readonly pools = new Map<string, Pool>();
  constructor(private readonly t: UpstreamTimeouts) {}

  private pool(target: Target): Pool {
    const key = `${target.host}:${target.port}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(`http://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`, {
        connections: 128,
        pipelining: 1,
        keepAliveTimeout: 4_000,
        headersTimeout: this.t.headMs,
        bodyTimeout: this.t.idleBodyMs,
        connect: { timeout: this.t.connectMs },
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /**
   * Send a visitor's request on and stream the answer back; `fields` shapes the response head
   * (response-headers.ts), `failed` answers when nothing came back.
   */
  forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    target: Target,
    headers: string[],
    fields: (raw: Buffer[]) => string[],
    failed: (why: Failure) => void,
  ): void {
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    const method = req.method ?? 'GET';
    const retry = RETRYABLE.has(method) && !hasBody;
    const pool = this.pool(target);
    const send = (attempt: number) => {
      let abort: ((err?: Error) => void) | undefined;
      let answered = false;
      const onClose = () => {
        if (!res.writableFinished) abort?.(new Error('visitor went away'));
      };
      res.once('close', onClose);
      const handler: Dispatcher.DispatchHandlers = {
        onConnect(a) {
          abort = a;
          if (res.destroyed) a(new Error('visitor went away'));
        },
        onHeaders(status, raw, resume, statusText) {
          if (status < 200) return true; // 100 Continue and friends: node spoke for us already
          answered = true;
          res.writeHead(status, statusText, fields(raw as Buffer[]));
          res.on('drain', resume);
          return true;
        },
        onData(chunk) {
          return res.write(chunk);
        },
        onComplete() {
          res.off('close', onClose);
          res.end();
        },
        onError(err) {
          res.off('close', onClose);
          if (res.destroyed) return;
          const code = (err as NodeJS.ErrnoException).code ?? '';
          if (!answered && retry && attempt === 0 && STALE.has(code)) return send(1);
          if (answered || res.headersSent) {
            res.destroy(); // part of an answer went out: cut it short, visibly
            return;
          }
          failed(code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' ? 'timeout' : 'unreachable');
        },
      };
      pool.dispatch({ path: req.url ?? '/', method: method as Dispatcher.HttpMethod, headers, body: hasBody ? req : null }, handler);
    };
    send(0);
  }

  /** Close the pools of notebooks that are gone (`live` says which targets still are). */
  prune(live: (key: string) => boolean): void {
    for (const [key, pool] of this.pools) {
      if (live(key)) continue;
      this.pools.delete(key);
      void pool.destroy().catch(() => {});
    }
  }

  close(): void {
    for (const pool of this.pools.values()) void pool.destroy().catch(() => {});
    this.pools.clear();
  }
}
