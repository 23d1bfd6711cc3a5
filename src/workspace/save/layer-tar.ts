// One image layer as a tar, built from the workspace folder: the archive folder, whiteouts for
// what was deleted since the previous save, the changed entries, the manifest last. Its exact
// size is known before the first byte (docker load needs it for the tar entry that carries the
// layer): header bytes come from packing the same headers with empty bodies, data is padded
// to 512-byte blocks. The stream hashes itself: its sha256 is the layer's diff ID.
import { createHash } from 'node:crypto';
import { join, posix } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { fillPack, packEntry, packHostFile, type TarHeader as Headers } from '../../tar-entries.js';
import type { ManifestEntry } from './manifest.js';

export interface LayerTarRequest {
  /** Host folder the entries are read from. */
  root: string;
  /** Archive path inside the image, without the leading "/" ("archive"). */
  prefix: string;
  entries: ManifestEntry[];
  /** Folder-relative paths deleted since the base (each becomes a whiteout). */
  removed: string[];
  manifestName: string;
  manifest: Buffer;
  /** One mtime for the entries the folder does not provide (archive folder, whiteouts, manifest). */
  now: Date;
}

/** Files this size or larger need tar extensions whose length this module does not compute. */
export const LAYER_TAR_MAX_FILE = 8 * 1024 ** 3 - 1;

const pad512 = (n: number) => Math.ceil(n / 512) * 512;

function whiteout(prefix: string, path: string): string {
  const dir = posix.dirname(path);
  const name = `.wh.${posix.basename(path)}`;
  return dir === '.' ? `${prefix}/${name}` : `${prefix}/${dir}/${name}`;
}

/** Every header of the layer, in order, with the body each carries. */
function headersOf(req: LayerTarRequest): { header: Headers; body: 'file' | 'manifest' | 'none'; entry?: ManifestEntry }[] {
  const meta = { uid: 0, gid: 0, mtime: req.now };
  const out: { header: Headers; body: 'file' | 'manifest' | 'none'; entry?: ManifestEntry }[] = [
    { header: { ...meta, name: req.prefix, type: 'directory', mode: 0o755 }, body: 'none' },
  ];
  for (const p of req.removed) out.push({ header: { ...meta, name: whiteout(req.prefix, p), type: 'file', mode: 0o600, size: 0 }, body: 'none' });
  for (const e of req.entries) {
    const base = { uid: 0, gid: 0, name: `${req.prefix}/${e.path}`, mode: e.mode, mtime: new Date(e.mtimeMs) };
    if (e.type === 'dir') out.push({ header: { ...base, type: 'directory' }, body: 'none' });
    else if (e.type === 'symlink') out.push({ header: { ...base, type: 'symlink', linkname: e.target ?? '' }, body: 'none' });
    else out.push({ header: { ...base, type: 'file', size: e.size }, body: 'file', entry: e });
  }
  out.push({ header: { ...meta, name: `${req.prefix}/${req.manifestName}`, type: 'file', mode: 0o644, size: req.manifest.length }, body: 'manifest' });
  return out;
}

/** The exact byte length of the layer tar. */
export async function layerTarSize(req: LayerTarRequest): Promise<number> {
  const pack = tar.pack();
  let bytes = 0;
  const counted = new Promise<void>((resolve, reject) => {
    pack.on('data', (c) => (bytes += (c as Buffer).length));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  let data = 0;
  for (const { header } of headersOf(req)) {
    const size = header.size ?? 0;
    if (size > LAYER_TAR_MAX_FILE) throw new Error(`${header.name} is 8 GiB or larger`);
    data += pad512(size);
    // Same header with an empty body: tar-stream's header encoding does not depend on the
    // size below 8 GiB, so this counts the header blocks (and any pax blocks) exactly.
    if (header.type === 'file') pack.entry({ ...header, size: 0 }, Buffer.alloc(0));
    else pack.entry(header);
  }
  pack.finalize();
  await counted;
  return bytes + data;
}

/** Stream the layer tar; `diffId` resolves with "sha256:…" once it has all been read. */
export function layerTarStream(req: LayerTarRequest): { stream: Readable; diffId: Promise<string> } {
  const pack = tar.pack();
  const hash = createHash('sha256');
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const hashed = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const piping = pipeline(pack as unknown as Readable, hashed, out);
  const writing = fillPack(
    pack,
    async () => {
      for (const { header, body, entry } of headersOf(req)) {
        if (body === 'manifest') await packEntry(pack, header, req.manifest);
        else if (body === 'file' && entry) {
          await packHostFile(pack, { ...header, size: entry.size }, join(req.root, entry.path), { hint: 'nothing was tagged; run save again once the file is written' });
        } else if (header.type === 'file') await packEntry(pack, header, Buffer.alloc(0));
        else pack.entry(header);
      }
    },
    out,
  );
  const diffId = (async () => {
    try {
      await piping;
    } catch (err) {
      await writing; // the reader's own error (a file that changed) says more than "size mismatch"
      throw err;
    }
    await writing;
    return `sha256:${hash.digest('hex')}`;
  })();
  diffId.catch(() => {});
  return { stream: out, diffId };
}
