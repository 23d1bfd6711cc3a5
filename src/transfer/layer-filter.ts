// Stream a `docker save` tarball through, keeping only the layer files the target lacks.
// Nothing is written to disk, except a layer whose identity cannot be told from its path
// (then it is hashed while spooled to a temporary file, and kept if its diff ID is wanted).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import { debug } from '../log.js';
import { packEntry, type TarHeader as Headers } from '../tar-entries.js';
import type { LayerSelector } from './layer-select.js';

const log = debug('transfer');

export interface FilterStats {
  keptLayers: number;
  droppedLayers: number;
  /** Bytes of layer files kept / dropped (tar entry sizes). */
  keptLayerBytes: number;
  droppedLayerBytes: number;
  /** Layers that had to be hashed on disk to be identified. */
  spooled: number;
  /** Every entry name of the output, in order. */
  entries: string[];
}

export interface FilterOptions {
  /** Called when a layer starts: its size and whether it travels. */
  onLayer?: (layer: { path: string; size: number; kept: boolean }) => void;
  /** Extra small files to put first in the output (e.g. transferctl.json). */
  prepend?: { name: string; body: Buffer }[];
}

export interface Filtered {
  /** The partial tarball. Counting starts at its first byte. */
  output: Readable;
  stats: Promise<FilterStats>;
}

const norm = (name: string) => name.replace(/^\.\//, '').replace(/\/$/, '');

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

export function filterSave(input: Readable, selector: LayerSelector, opts: FilterOptions = {}): Filtered {
  const ex = tarExtract();
  const pk = tarPack();
  const output = new PassThrough({ highWaterMark: 1 << 20 });
  (pk as unknown as Readable).on('error', () => {}); // torn down with the output, which carries the error
  (pk as unknown as Readable).pipe(output);
  let finished = false;
  output.on('close', () => {
    if (!finished) input.destroy(); // the reader went away: stop `docker save`
  });

  const stats: FilterStats = { keptLayers: 0, droppedLayers: 0, keptLayerBytes: 0, droppedLayerBytes: 0, spooled: 0, entries: [] };
  let spoolDir: string | undefined;
  const spooled: { header: Headers; file: string; diffId: string }[] = [];

  const keep = async (header: Headers, body?: Readable | Buffer) => {
    stats.entries.push(norm(header.name));
    await packEntry(pk, header, body);
  };

  const run = async (): Promise<FilterStats> => {
    for (const p of opts.prepend ?? []) await keep({ name: p.name, size: p.body.length, mode: 0o644, mtime: new Date(0), type: 'file' }, p.body);
    (ex as unknown as Readable).on('error', () => {}); // seen by the loop below
    input.pipe(ex as unknown as NodeJS.WritableStream);
    input.on('error', (e) => (ex as unknown as Readable).destroy(e));
    for await (const entry of ex) {
      const header = entry.header;
      const path = norm(header.name);
      if (/(^|\/)json$/.test(path) && header.type === 'file' && header.size! < 1 << 20) {
        const body = await collect(entry as unknown as Readable);
        selector.noteJson(path, body.toString('utf8'));
        await keep(header, body);
        continue;
      }
      if (!selector.isLayer(path)) {
        await keep(header, header.type === 'file' ? (entry as unknown as Readable) : undefined);
        if (header.type !== 'file') entry.resume();
        continue;
      }
      const decision = selector.decide(path);
      const size = header.size ?? 0;
      if (header.type !== 'file') {
        // A link to an equal layer elsewhere in the tarball: tiny, kept unless surely unneeded.
        entry.resume();
        if (decision !== 'drop') await keep(header);
        continue;
      }
      if (decision === 'keep') {
        stats.keptLayers++;
        stats.keptLayerBytes += size;
        opts.onLayer?.({ path, size, kept: true });
        await keep(header, entry as unknown as Readable);
      } else if (decision === 'drop') {
        stats.droppedLayers++;
        stats.droppedLayerBytes += size;
        opts.onLayer?.({ path, size, kept: false });
        entry.resume();
        await new Promise<void>((r) => entry.on('end', r));
      } else {
        spoolDir ??= mkdtempSync(join(tmpdir(), 'transferctl-spool-'));
        const file = join(spoolDir, String(spooled.length));
        const hash = createHash('sha256');
        entry.on('data', (c) => void hash.update(c as Buffer));
        await pipeline(entry as unknown as Readable, createWriteStream(file));
        const diffId = `sha256:${hash.digest('hex')}`;
        log(`${path} identified by hashing: ${diffId}`);
        spooled.push({ header, file, diffId });
        stats.spooled++;
      }
    }
    for (const s of spooled) {
      const kept = selector.decideByDiffId(s.diffId) === 'keep';
      opts.onLayer?.({ path: norm(s.header.name), size: s.header.size ?? 0, kept });
      if (kept) {
        stats.keptLayers++;
        stats.keptLayerBytes += s.header.size ?? 0;
        await keep(s.header, createReadStream(s.file));
      } else {
        stats.droppedLayers++;
        stats.droppedLayerBytes += s.header.size ?? 0;
      }
      rmSync(s.file, { force: true });
    }
    finished = true;
    pk.finalize();
    return stats;
  };

  const done = run()
    .catch((err) => {
      finished = true;
      input.destroy();
      output.destroy(err as Error);
      throw err;
    })
    .finally(() => {
      if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
    });
  done.catch(() => {}); // the caller sees it through `stats` or the output's error
  return { output, stats: done };
}
