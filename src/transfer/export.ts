// transferctl export: an image as a tarball without the layers named base images hold,
// for carrying into an air-gapped network that already has the base.
import { createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../errors.js';
import type { Engine } from '../engine/index.js';
import { toolVersion } from '../labels.js';
import { chainSetOf } from './chain.js';
import { compressor, type Compression } from './compress.js';
import { filterSave } from './layer-filter.js';
import { layerSelector } from './layer-select.js';
import { localImage } from './local-image.js';
import { META_FORMAT, META_NAME, type ExportMeta } from './meta.js';
import { planLayers } from './plan.js';

export interface ExportOptions {
  engine: Engine;
  image: string;
  output: string;
  without?: string[];
  compression: Compression;
  /** Overwrite an existing output file. */
  force?: boolean;
  signal?: AbortSignal;
}

export interface ExportResult {
  file: string;
  image: string;
  imageId: string;
  compression: Compression;
  bytes: number;
  layers: { total: number; included: number; leftOut: number };
  bases: { ref: string; id: string }[];
  notes: string[];
}

export async function exportImage(opts: ExportOptions): Promise<ExportResult> {
  const { engine, output } = opts;
  if (existsSync(output) && !opts.force) {
    throw new UserError(`${output} already exists`, { hint: 'pass --force to overwrite it, or choose another -o FILE' });
  }
  const local = await localImage(engine, opts.image);
  const bases = [];
  for (const ref of opts.without ?? []) bases.push({ ref, ...(await localImage(engine, ref)).details });
  const plan = planLayers(local.details.layers, chainSetOf(bases.map((b) => b.layers)));
  const notes: string[] = [];
  for (const b of bases) {
    if (!chainSetOf([b.layers]).has(plan.chains[0])) notes.push(`${b.ref} shares no layers with ${opts.image}; it leaves nothing out`);
  }
  const included = plan.diffIds.map((d) => plan.send.has(d));
  const meta: ExportMeta = {
    format: META_FORMAT,
    image: local.ref ?? local.details.id,
    imageId: local.details.id,
    repoTags: local.ref ? [local.ref] : [],
    diffIds: plan.diffIds,
    included,
    bases: bases.filter((b) => !notes.some((n) => n.startsWith(b.ref + ' '))).map((b) => ({ ref: b.ref, id: b.id })),
    tool: `transferctl ${toolVersion()}`,
  };
  const zip = compressor(opts.compression); // throws before anything is written if unsupported
  const partial = `${output}.partial-${process.pid}`;
  try {
    const saved = await engine.images.save([meta.image]);
    opts.signal?.addEventListener('abort', () => saved.destroy(opts.signal!.reason), { once: true });
    const filtered = filterSave(saved, layerSelector(plan.diffIds, plan.send), {
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
    image: meta.image,
    imageId: meta.imageId,
    compression: opts.compression,
    bytes: statSync(output).size,
    layers: { total: included.length, included: included.filter(Boolean).length, leftOut: included.filter((i) => !i).length },
    bases: meta.bases,
    notes,
  };
}
