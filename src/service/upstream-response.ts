// Reads one HTTP/1.1 response from a notebook server, incrementally: the head, then the body
// framed by Content-Length, chunked transfer coding, or the end of the connection. Interim 1xx
// responses are skipped. The body is given decoded, or, in `raw` mode, as the bytes on the
// wire (chunk framing and trailers included) for a hop that keeps the framing as it is.
import { trimOws } from './upstream-request.js';

const MAX_HEAD = 64 * 1024;
const MAX_LINE = 4 * 1024;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** How the body is delimited: nothing, Content-Length, chunked coding, the end of the connection. */
export type Framing = 'none' | 'length' | 'chunked' | 'close';

export interface ResponseHead {
  readonly status: number;
  /** The reason phrase; '' when the server sent none. */
  readonly message: string;
  /** Name, value, name, value… as received (case and repeats kept). */
  readonly headers: string[];
  /** The same, as on the wire: the status line, and the field lines each starting with CRLF. */
  readonly statusLine: string;
  readonly fields: string;
  readonly framing: Framing;
  /** The Connection field's value, in lower case ('' when absent). */
  readonly connection: string;
  /** The head as received, blank line included. */
  readonly bytes: Buffer;
  /** HTTP/1.1, no field of this hop's in it (nor a length beside chunks): it can go on as it is. */
  readonly plain: boolean;
}

export interface ResponseEvents {
  head(head: ResponseHead): void;
  /** `last`: the final bytes of a counted body (so they can go out with the end). */
  body(chunk: Buffer, last: boolean): void;
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
    private readonly raw = false,
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
        this.left -= n;
        this.on.body(n === buf.length ? buf : buf.subarray(0, n), this.left === 0 && this.state === 'length');
        if (this.left === 0) {
          this.state = this.state === 'length' ? 'done' : 'chunk-end';
        }
        return n;
      }
      case 'until-close':
        this.on.body(buf, false);
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
        // Decoded, trailer fields are dropped (as before: a piped body never carried them).
        return this.readLine(buf, (line) => {
          if (line === '') this.state = 'done';
          else if (line.indexOf(':') <= 0) throw new UpstreamProtocolError('bad trailer line');
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
    const line = nl > 0 && buf[nl - 1] === 13 ? buf.toString('latin1', 0, nl - 1) : undefined;
    // Lines in the body end in CRLF and hold no other control characters, so that whoever reads
    // them after us finds the same boundaries.
    if (line === undefined || CONTROL.test(line)) throw new UpstreamProtocolError('bad line in a chunked body');
    then(line);
    if (this.raw) this.on.body(buf.subarray(0, nl + 1), false);
    return nl + 1;
  }

  private readHead(buf: Buffer): number {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buf.length > MAX_HEAD) throw new UpstreamProtocolError('response head too large');
      return -1;
    }
    const text = buf.toString('latin1', 0, end);
    // One pass checks it all: the status line, then fields with token names and values without
    // control characters (so every line ends in CRLF, and reads the same to whoever is next).
    const m = RESPONSE_HEAD.exec(text);
    if (!m) throw new UpstreamProtocolError(`bad response head "${text.slice(0, 60)}"`);
    const status = Number(m[2]);
    const fields = m[4];
    if (status < 200) {
      if (status === 101) throw new UpstreamProtocolError('101 Switching Protocols without an upgrade request');
      return end + 4; // interim response: the real one follows
    }
    let lengths = '';
    let coding = '';
    let connection = '';
    let hopByHop = false;
    SPECIAL.lastIndex = 0;
    for (let f = SPECIAL.exec(fields); f; f = SPECIAL.exec(fields)) {
      const name = f[1].toLowerCase();
      const value = trimOws(f[2]);
      if (name === 'content-length') lengths += `${lengths ? ',' : ''}${value}`;
      else if (name === 'transfer-encoding') coding += `${coding ? ',' : ''}${value}`;
      else {
        hopByHop = true;
        if (name === 'connection') connection += `${connection ? ',' : ''}${value.toLowerCase()}`;
      }
    }
    const length = contentLength(lengths);
    const tokens = connection ? connection.split(',').map((t) => t.trim()) : [];
    this.reusable = m[1] === '1' ? !tokens.includes('close') : tokens.includes('keep-alive');
    if (this.method === 'HEAD' || status === 204 || status === 304) {
      this.state = 'done';
    } else if (coding) {
      const last = coding.toLowerCase().split(',').pop()!.trim();
      this.state = last === 'chunked' ? 'chunk-size' : 'until-close';
    } else if (length !== undefined) {
      this.left = length;
      this.state = this.left === 0 ? 'done' : 'length';
    } else {
      this.state = 'until-close';
    }
    if (this.state === 'until-close') this.reusable = false;
    const framing: Framing = this.state === 'done' ? 'none' : this.state === 'length' ? 'length' : this.state === 'chunk-size' ? 'chunked' : 'close';
    const head = new Head(status, m[3] ?? '', text.slice(0, text.length - fields.length), fields, framing, connection);
    head.bytes = buf.subarray(0, end + 4);
    head.plain = m[1] === '1' && !hopByHop && !(framing === 'chunked' && length !== undefined);
    this.on.head(head);
    return end + 4;
  }
}

const RESPONSE_HEAD = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?((?:\r\n[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\x00-\x08\x0a-\x1f\x7f]*)*)$/;
// The fields that frame the body or belong to this hop, found in one more pass.
const SPECIAL = /\r\n(content-length|transfer-encoding|connection|keep-alive|proxy-connection|upgrade):([^\r]*)/gi;

/** Content-Length's values (joined by commas): one number, or undefined when there were none. */
function contentLength(v: string): number | undefined {
  if (!v) return undefined;
  const all = v.split(',').map((x) => x.trim());
  if (!all.every((x) => x === all[0]) || !/^\d{1,15}$/.test(all[0])) throw new UpstreamProtocolError('bad content-length');
  return Number(all[0]);
}

class Head implements ResponseHead {
  private list: string[] | undefined;
  bytes!: Buffer;
  plain = false;

  constructor(
    readonly status: number,
    readonly message: string,
    readonly statusLine: string,
    readonly fields: string,
    readonly framing: Framing,
    readonly connection: string,
  ) {}

  get headers(): string[] {
    if (!this.list) {
      this.list = [];
      for (const line of this.fields.split('\r\n')) {
        if (!line) continue;
        const colon = line.indexOf(':');
        this.list.push(line.slice(0, colon), trimOws(line.slice(colon + 1)));
      }
    }
    return this.list;
  }
}
