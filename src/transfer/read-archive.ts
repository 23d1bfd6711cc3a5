// Read an image tarball's description without loading it: transferctl.json when it is the
// first entry (an export), otherwise a pass over the entries (bodies skipped but for JSON).
import { createReadStream, existsSync, openSync, readSync, closeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { extract as tarExtract } from 'tar-stream';
import { UserError } from '../errors.js';
import { describeArchive, type ArchivedImage } from './archive.js';
import { decompressor, detectCompression, type Compression } from './compress.js';
import { META_NAME, parseMeta, type ExportMeta } from './meta.js';

export interface ArchiveInfo {
  compression: Compression;
  images: ArchivedImage[];
  meta?: ExportMeta;
}

export function openArchive(file: string): { compression: Compression; stream: () => Readable } {
  if (!existsSync(file)) throw new UserError(`no such file: ${file}`);
  const head = Buffer.alloc(4);
  const fd = openSync(file, 'r');
  readSync(fd, head, 0, 4, 0);
  closeSync(fd);
  const compression = detectCompression(head);
  return { compression, stream: () => createReadStream(file).pipe(decompressor(compression)) };
}

const norm = (n: string) => n.replace(/^\.\//, '').replace(/\/$/, '');

export async function readArchive(file: string): Promise<ArchiveInfo> {
  const { compression, stream } = openArchive(file);
  const input = stream();
  const ex = tarExtract();
  input.on('error', (e) => (ex as unknown as Readable).destroy(e));
  (ex as unknown as Readable).on('error', () => {}); // seen by the loop below
  input.pipe(ex as unknown as NodeJS.WritableStream);
  const files = new Map<string, string>();
  const entries = new Set<string>();
  let first = true;
  try {
    for await (const entry of ex) {
      const name = norm(entry.header.name);
      entries.add(name);
      const small = entry.header.type === 'file' && (entry.header.size ?? 0) < 4 << 20;
      if (small && (name.endsWith('.json') || name.startsWith('blobs/') || name === META_NAME)) {
        const parts: Buffer[] = [];
        for await (const c of entry) parts.push(c as Buffer);
        const text = Buffer.concat(parts).toString('utf8');
        if (first && name === META_NAME) {
          const meta = parseMeta(text);
          if (meta) {
            input.destroy();
            const images = meta.images.map(({ imageId, repoTags, diffIds, included }) => ({ imageId, repoTags, diffIds, included }));
            return { compression, images, meta };
          }
        }
        if (name.endsWith('.json') || text.startsWith('{')) files.set(name, text);
      } else entry.resume();
      first = false;
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file} is not a readable image tarball: ${(err as Error).message}`, {
      hint: 'it should come from `docker save` or `transferctl export` (.tar, .tar.gz or .tar.zst)',
    });
  }
  const manifest = files.get('manifest.json');
  if (!manifest) {
    throw new UserError(`${file} has no manifest.json: not an image tarball`, { hint: 'it should come from `docker save` or `transferctl export`' });
  }
  return { compression, images: describeArchive({ manifest, files, entries }, file) };
}
