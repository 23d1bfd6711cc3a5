// transferctl export: images as one tarball (layers they share written once), without the
// layers named base images hold, for carrying into an air-gapped network that has the base.
import { createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../errors.js';
import type { Engine } from '../engine/index.js';
import { toolVersion } from '../labels.js';
import { compressor, type Compression } from './compress.js';
import { filterSave } from './layer-filter.js';
import { imagesSelector } from './layer-select.js';
import { localImage } from './local-image.js';
import { META_FORMAT, META_NAME, type ExportMeta } from './meta.js';
import { exportPlan } from './export-plan.js';

export interface ExportOptions {
  engine: Engine;
  /** One or more image names or IDs. */
  images: string[];
  output: string;
  without?: string[];
  compression: Compression;
  /** Overwrite an existing output file. */
  force?: boolean;
  signal?: AbortSignal;
}

export interface ExportResult {
  file: string;
  /** The first image (the only one, usually). */
  image: string;
  imageId: string;
  images: { image: string; imageId: string }[];
  compression: Compression;
  bytes: number;
  /** Distinct layers (by chain) over all the images. */
  layers: { total: number; included: number; leftOut: number };
  bases: { ref: string; id: string }[];
  notes: string[];
}

export async function exportImage(opts: ExportOptions): Promise<ExportResult> {
  const { engine, output } = opts;
  if (opts.images.length === 0) throw new UserError('name at least one image to export', { exitCode: 2 });
  if (existsSync(output) && !opts.force) {
    throw new UserError(`${output} already exists`, { hint: 'pass --force to overwrite it, or choose another -o FILE' });
  }
  const seen = new Set<string>();
  const images = [];
  for (const name of opts.images) {
    const local = await localImage(engine, name);
    if (seen.has(local.details.id)) continue; // named twice (by tag and ID): once in the file
    seen.add(local.details.id);
    images.push({ image: local.ref ?? local.details.id, imageId: local.details.id, repoTags: local.ref ? [local.ref] : [], diffIds: local.details.layers });
  }
  const bases = [];
  for (const ref of opts.without ?? []) bases.push({ ref, ...(await localImage(engine, ref)).details });
  const plan = exportPlan(
    images.map((i) => i.diffIds),
    bases.map((b) => ({ ref: b.ref, layers: b.layers })),
  );
  const notes = plan.unrelatedBases.map((ref) => `${ref} shares no layers with ${opts.images.join(', ')}; it leaves nothing out`);
  const meta: ExportMeta = {
    format: META_FORMAT,
    images: images.map((i, k) => ({ ...i, included: plan.included[k] })),
    bases: bases.filter((b) => !plan.unrelatedBases.includes(b.ref)).map((b) => ({ ref: b.ref, id: b.id })),
    tool: `transferctl ${toolVersion()}`,
  };
  const zip = compressor(opts.compression); // throws before anything is written if unsupported
  const partial = `${output}.partial-${process.pid}`;
  try {
    const saved = await engine.images.save(images.map((i) => i.image));
    opts.signal?.addEventListener('abort', () => saved.destroy(opts.signal!.reason), { once: true });
    const filtered = filterSave(saved, imagesSelector(images.map((i) => i.diffIds), plan.send), {
      prepend: [{ name: META_NAME, body: Buffer.from(JSON.stringify(meta, null, 2)) }],
    });
    await Promise.all([pipeline(filtered.output, zip, createWriteStream(partial, { flags: 'wx' })), filtered.stats]);
    if (opts.signal?.aborted) throw opts.signal.reason;
    renameSync(partial, output);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  return {
    file: output,
    image: images[0].image,
    imageId: images[0].imageId,
    images: images.map((i) => ({ image: i.image, imageId: i.imageId })),
    compression: opts.compression,
    bytes: statSync(output).size,
    layers: plan.counts,
    bases: meta.bases,
    notes,
  };
}
