// Stream the entries a save writes as one tar (names under the archive path), hashing each
// file while it is read: one read per changed file. The manifest goes last.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { fillPack, packHostFile } from '../../tar-entries.js';
import type { ManifestEntry } from './manifest.js';

export interface PackRequest {
  /** Host folder the entries are read from. */
  root: string;
  /** Archive path inside the image, without the leading "/" ("archive"). */
  prefix: string;
  entries: ManifestEntry[];
  /** Called once every file is hashed; returns the bytes of the manifest (written last), or null. */
  finish: (hashes: Map<string, string>) => Buffer | null;
  manifestName: string;
}

async function writeFile(pack: tar.Pack, req: PackRequest, e: ManifestEntry, hashes: Map<string, string>): Promise<void> {
  const hash = createHash('sha256');
  const header = { name: `${req.prefix}/${e.path}`, type: 'file' as const, size: e.size, mode: e.mode, mtime: new Date(e.mtimeMs), uid: 0, gid: 0 };
  await packHostFile(pack, header, join(req.root, e.path), {
    onChunk: (chunk) => hash.update(chunk),
    hint: 'nothing was changed; run save again once the file is written',
  });
  hashes.set(e.path, hash.digest('hex'));
}

/** A tar stream to extract at "/" in the container; `done` resolves with the file hashes. */
export function packArchive(req: PackRequest): { stream: Readable; done: Promise<Map<string, string>> } {
  const pack = tar.pack();
  // Failures surface through `done` (the engine request sees the stream end early).
  pack.on('error', () => {});
  const hashes = new Map<string, string>();
  const done = fillPack(pack, async () => {
    pack.entry({ name: req.prefix, type: 'directory', mode: 0o755, mtime: new Date(), uid: 0, gid: 0 });
    for (const e of req.entries) {
      const name = `${req.prefix}/${e.path}`;
      const meta = { name, mode: e.mode, mtime: new Date(e.mtimeMs), uid: 0, gid: 0 };
      if (e.type === 'dir') pack.entry({ ...meta, type: 'directory' });
      else if (e.type === 'symlink') pack.entry({ ...meta, type: 'symlink', linkname: e.target ?? '' });
      else await writeFile(pack, req, e, hashes);
    }
    const manifest = req.finish(hashes);
    if (manifest) pack.entry({ name: `${req.prefix}/${req.manifestName}`, mode: 0o644, mtime: new Date(), uid: 0, gid: 0 }, manifest);
    return hashes;
  });
  return { stream: pack as unknown as Readable, done };
}

/** sha256 of a file: a read loop into one reused buffer (several times faster than a stream here). */
export async function hashFile(path: string, sizeHint = 4 << 20): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(4 << 20, Math.max(64 << 10, sizeHint + 1)));
    const hash = createHash('sha256');
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
    return hash.digest('hex');
  } finally {
    await fh.close();
  }
}

const shared = Buffer.allocUnsafe(4 << 20);

/** The same, synchronously with one shared buffer: for hashing many files in a row (no
 * thread-pool round trip per read; callers yield between files). */
export function hashFileSync(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    for (;;) {
      const n = readSync(fd, shared, 0, shared.length, null);
      if (n === 0) break;
      hash.update(shared.subarray(0, n));
    }
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

/** Hash many files, yielding to the event loop every few megabytes. */
export async function hashFiles(root: string, entries: ManifestEntry[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let since = 0;
  for (const e of entries) {
    if (e.type !== 'file') continue;
    out.set(e.path, hashFileSync(join(root, e.path)));
    since += e.size + 4096;
    if (since > 16 << 20) {
      since = 0;
      await new Promise((r) => setImmediate(r));
    }
  }
  return out;
}
