// Entries into a tar-stream pack, as promises: with a whole body, none, or a stream; and a host
// file streamed in with a check that all of it was read (a file may shrink while a save reads it,
// and the tar entry's size was promised up front).
import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Header, Pack } from 'tar-stream';
import { UserError } from './errors.js';

export type TarHeader = Partial<Header> & Pick<Header, 'name'>;

export function packEntry(pk: Pack, header: TarHeader, body?: Readable | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null) => (err ? reject(err) : resolve());
    if (!body) pk.entry(header, done);
    else if (Buffer.isBuffer(body)) pk.entry(header, body, done);
    else pipeline(body, pk.entry(header, done)).catch(reject);
  });
}

/** Write a pack's entries with `write`, then finalize it. On failure the pack and the streams
 * reading from it are destroyed and the promise rejects (and is never left unhandled). */
export function fillPack<T>(pk: Pack, write: () => Promise<T>, ...readers: { destroy(err?: Error): unknown }[]): Promise<T> {
  const done = (async () => {
    try {
      const result = await write();
      pk.finalize();
      return result;
    } catch (err) {
      pk.destroy(err as Error);
      for (const r of readers) r.destroy(err as Error);
      throw err;
    }
  })();
  done.catch(() => {});
  return done;
}

export interface HostFileOptions {
  /** Sees every chunk on its way into the tar (a hash, say). */
  onChunk?: (chunk: Buffer) => void;
  /** What to tell the user when the file changed while it was read. */
  hint: string;
}

/** The first `header.size` bytes of the host file `abs` as the entry's body. */
export async function packHostFile(pk: Pack, header: TarHeader & { size: number }, abs: string, opts: HostFileOptions): Promise<void> {
  if (header.size === 0) return packEntry(pk, header, Buffer.alloc(0));
  let read = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      read += chunk.length;
      opts.onChunk?.(chunk);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(abs, { start: 0, end: header.size - 1, highWaterMark: 1 << 20 }), tap, pk.entry(header));
  } catch (err) {
    if (read !== header.size) {
      throw new UserError(`${abs} changed while it was being saved (${read} of ${header.size} bytes read)`, { hint: opts.hint, cause: err });
    }
    throw err;
  }
}
