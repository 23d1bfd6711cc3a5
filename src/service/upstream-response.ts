// Reads one HTTP/1.1 response from a notebook server, incrementally: the head, then the body
// framed by Content-Length, chunked transfer coding (decoded here), or the end of the
// connection. Interim 1xx responses are skipped. Used by the proxy's own client (forward.ts).
const MAX_HEAD = 64 * 1024;
const MAX_LINE = 4 * 1024;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: (.*))?$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface ResponseHead {
  status: number;
  /** The reason phrase; '' when the server sent none. */
  message: string;
  /** Name, value, name, value… as received (case and repeats kept). */
  headers: string[];
}

export interface ResponseEvents {
  head(head: ResponseHead): void;
  body(chunk: Buffer): void;
}

export class UpstreamProtocolError extends Error {}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close' | 'done';

export class ResponseParser {
  private state: State = 'head';
  private pending: Buffer | undefined;
  private left = 0;
  private reusable = false;

  /** `method` is the request's: a response to HEAD has no body whatever its headers say. */
  constructor(
    private readonly method: string,
    private readonly on: ResponseEvents,
  ) {}

  get done(): boolean {
    return this.state === 'done';
  }

  /** Bytes from the notebook server; true once the response is complete. Throws
   *  UpstreamProtocolError on a malformed response. */
  push(chunk: Buffer): boolean {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    while (buf.length > 0 && this.state !== 'done') {
      const used = this.step(buf);
      if (used < 0) {
        this.pending = buf;
        return false;
      }
      buf = buf.subarray(used);
    }
    // Bytes after a complete response: the connection is out of step, never reuse it.
    if (buf.length > 0) this.reusable = false;
    return this.state === 'done';
  }

  /** The connection closed. True when that completed the response (a body read until close). */
  close(): boolean {
    if (this.state === 'until-close') this.state = 'done';
    return this.state === 'done';
  }

  /** Once done: whether the connection can carry another request. */
  get canReuse(): boolean {
    return this.state === 'done' && this.reusable;
  }

  /** Consumes bytes from buf; -1 when more are needed. */
  private step(buf: Buffer): number {
    switch (this.state) {
      case 'head':
        return this.readHead(buf);
      case 'length':
      case 'chunk-data': {
        const n = Math.min(this.left, buf.length);
        this.on.body(n === buf.length ? buf : buf.subarray(0, n));
        this.left -= n;
        if (this.left === 0) {
          this.state = this.state === 'length' ? 'done' : 'chunk-end';
        }
        return n;
      }
      case 'until-close':
        this.on.body(buf);
        return buf.length;
      case 'chunk-size':
        return this.readLine(buf, (line) => {
          const hex = line.split(';', 1)[0].trim();
          if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new UpstreamProtocolError(`bad chunk size "${line.slice(0, 40)}"`);
          this.left = parseInt(hex, 16);
          this.state = this.left === 0 ? 'trailers' : 'chunk-data';
        });
      case 'chunk-end':
        return this.readLine(buf, (line) => {
          if (line !== '') throw new UpstreamProtocolError('chunk not followed by CRLF');
          this.state = 'chunk-size';
        });
      case 'trailers':
        // Trailer fields are dropped (as before: a piped body never carried them).
        return this.readLine(buf, (line) => {
          if (line === '') this.state = 'done';
        });
      default:
        return buf.length;
    }
  }

  private readLine(buf: Buffer, then: (line: string) => void): number {
    const nl = buf.indexOf(10);
    if (nl < 0) {
      if (buf.length > MAX_LINE) throw new UpstreamProtocolError('line too long');
      return -1;
    }
    then(buf.toString('latin1', 0, nl > 0 && buf[nl - 1] === 13 ? nl - 1 : nl));
    return nl + 1;
  }

  private readHead(buf: Buffer): number {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buf.length > MAX_HEAD) throw new UpstreamProtocolError('response head too large');
      return -1;
    }
    const lines = buf.toString('latin1', 0, end).split('\r\n');
    const m = STATUS_LINE.exec(lines[0]);
    if (!m) throw new UpstreamProtocolError(`bad status line "${lines[0].slice(0, 60)}"`);
    const status = Number(m[2]);
    const headers: string[] = [];
    let length: string | undefined;
    let coding = '';
    let connection = '';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon) : '';
      if (!TOKEN.test(name)) throw new UpstreamProtocolError(`bad header line "${line.slice(0, 60)}"`);
      const value = line.slice(colon + 1).trim();
      const lower = name.toLowerCase();
      if (lower === 'content-length') {
        if (!/^\d{1,15}$/.test(value) || (length !== undefined && length !== value)) throw new UpstreamProtocolError('bad content-length');
        length = value;
      } else if (lower === 'transfer-encoding') coding += (coding ? ',' : '') + value;
      else if (lower === 'connection') connection += (connection ? ',' : '') + value;
      headers.push(name, value);
    }
    if (status < 200) {
      if (status === 101) throw new UpstreamProtocolError('101 Switching Protocols without an upgrade request');
      return end + 4; // interim response: the real one follows
    }
    const tokens = connection.toLowerCase().split(',').map((t) => t.trim());
    this.reusable = m[1] === '1' ? !tokens.includes('close') : tokens.includes('keep-alive');
    if (this.method === 'HEAD' || status === 204 || status === 304) {
      this.state = 'done';
    } else if (coding) {
      const last = coding.toLowerCase().split(',').pop()!.trim();
      this.state = last === 'chunked' ? 'chunk-size' : 'until-close';
    } else if (length !== undefined) {
      this.left = Number(length);
      this.state = this.left === 0 ? 'done' : 'length';
    } else {
      this.state = 'until-close';
    }
    if (this.state === 'until-close') this.reusable = false;
    this.on.head({ status, message: m[3] ?? '', headers });
    return end + 4;
  }
}
