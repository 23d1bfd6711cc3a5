// The resumable send (see layer-steps.ts): walk a `docker save` stream once; each missing layer
// goes in its own sized `docker load` over the open session, bottom first. A layer that comes
// before the ones below it (docker save orders files by name, not by depth) waits in a
// temporary file. The save's small files (manifest, configs) make the final, layer-less load.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import { EngineError } from '../errors.js';
import { fillPack, packEntry, type TarHeader } from '../tar-entries.js';
import { imageIdOf, planSteps, stepConfig, stepManifest, tarSize } from './layer-steps.js';
import type { LayerSelector } from './layer-select.js';
import type { LayerPlan } from './plan.js';
import type { RemoteSession } from './remote.js';

export interface StepSendOptions {
  session: RemoteSession;
  plan: LayerPlan;
  imageId: string;
  architecture?: string;
  /** A layer starts (its size) / was loaded there (k of n). */
  onLayer?: (e: { loaded: number; of: number; size: number; done: boolean }) => void;
  onBytes?: (n: number) => void;
}

export interface StepSendResult {
  /** Step images made there (to remove once the image is loaded). */
  stepIds: string[];
  keptLayers: number;
  keptLayerBytes: number;
  droppedLayerBytes: number;
  /** The save without its layer files: loads the real image (config, tags) where every layer is. */
  final: Buffer;
}

const norm = (name: string) => name.replace(/^\.\//, '').replace(/\/$/, '');

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function packToBuffer(entries: { header: TarHeader; body?: Buffer }[]): Promise<Buffer> {
  const pk = tarPack();
  const out = collect(pk as unknown as Readable);
  await fillPack(pk, async () => {
    for (const e of entries) await packEntry(pk, e.header, e.body);
  });
  return out;
}

export async function sendInSteps(saved: Readable, selector: LayerSelector, opts: StepSendOptions): Promise<StepSendResult> {
  const { session, plan } = opts;
  const steps = planSteps(plan);
  const result: StepSendResult = { stepIds: [], keptLayers: 0, keptLayerBytes: 0, droppedLayerBytes: 0, final: Buffer.alloc(0) };
  const small: { header: TarHeader; body?: Buffer }[] = [];
  const waiting = new Map<string, { file: string; size: number }>();
  let spoolDir: string | undefined;
  let next = 0;
  const neededAfter = (diffId: string, k: number) => steps.some((s, j) => j > k && s.diffId === diffId);

  const sendStep = async (body: Readable, size: number) => {
    const s = steps[next];
    const config = stepConfig(plan.diffIds, s.index, opts.imageId, opts.architecture);
    const manifest = stepManifest(s.index);
    const total = tarSize([manifest.length, config.length, size]);
    opts.onLayer?.({ loaded: next, of: steps.length, size, done: false });
    const pk = tarPack();
    const wire = new PassThrough({ highWaterMark: 1 << 20 });
    let count = 0;
    (pk as unknown as Readable).on('data', (c: Buffer) => {
      count += c.length;
      opts.onBytes?.(c.length);
    });
    (pk as unknown as Readable).pipe(wire);
    const meta = { mode: 0o644, mtime: new Date(0) };
    const writing = fillPack(pk, async () => {
      await packEntry(pk, { ...meta, name: 'manifest.json', size: manifest.length }, manifest);
      await packEntry(pk, { ...meta, name: 'config.json', size: config.length }, config);
      await packEntry(pk, { ...meta, name: `layer-${s.index}.tar`, size }, body);
    }, wire);
    const [id] = await Promise.all([session.loadStep(wire, total), writing]);
    if (count !== total) throw new EngineError(`a layer tarball of ${count} bytes was announced as ${total}`, { hint: 'this is a bug; rerun with --debug and report it' });
    const expected = imageIdOf(config);
    if (id !== expected) throw new EngineError(`loading layer ${s.index + 1} there gave ${id ?? 'no image'}, not ${expected}`, { hint: 'run the transfer again' });
    result.stepIds.push(id);
    result.keptLayers++;
    result.keptLayerBytes += size;
    next++;
    opts.onLayer?.({ loaded: next, of: steps.length, size, done: true });
  };
  const flush = async () => {
    while (next < steps.length && waiting.has(steps[next].diffId)) {
      const d = steps[next].diffId;
      const w = waiting.get(d)!;
      await sendStep(createReadStream(w.file), w.size);
      if (!neededAfter(d, next - 1)) {
        rmSync(w.file, { force: true });
        waiting.delete(d);
      }
    }
  };
  const spool = async (body: Readable, hash?: ReturnType<typeof createHash>) => {
    spoolDir ??= mkdtempSync(join(tmpdir(), 'transferctl-steps-'));
    const file = join(spoolDir, String(waiting.size + Math.random()).replace('.', '-'));
    if (hash) body.on('data', (c: Buffer) => void hash.update(c));
    await pipeline(body, createWriteStream(file));
    return file;
  };

  const ex = tarExtract();
  (ex as unknown as Readable).on('error', () => {}); // seen by the loop below
  saved.on('error', (e) => (ex as unknown as Readable).destroy(e));
  saved.pipe(ex as unknown as NodeJS.WritableStream);
  try {
    for await (const entry of ex) {
      const header = entry.header;
      const path = norm(header.name);
      const body = entry as unknown as Readable;
      const size = header.size ?? 0;
      if (!selector.isLayer(path)) {
        const data = header.type === 'file' ? await collect(body) : (body.resume(), undefined);
        if (data && /(^|\/)json$/.test(path)) selector.noteJson(path, data.toString('utf8'));
        small.push({ header: { ...header, name: header.name }, body: data });
        continue;
      }
      if (header.type !== 'file') {
        body.resume(); // a link to an equal layer: every layer is there by the final load
        continue;
      }
      let decision = selector.decide(path);
      let diffId = selector.diffIdOf(path);
      let file: string | undefined;
      if (decision === 'unknown') {
        const hash = createHash('sha256');
        file = await spool(body, hash);
        diffId = `sha256:${hash.digest('hex')}`;
        decision = selector.decideByDiffId(diffId);
      }
      if (decision === 'drop' || !diffId || waiting.has(diffId) || !steps.slice(next).some((s) => s.diffId === diffId)) {
        if (file) rmSync(file, { force: true });
        else body.resume();
        result.droppedLayerBytes += decision === 'drop' ? size : 0;
        if (!file) await new Promise<void>((r) => body.on('end', r));
        continue;
      }
      if (!file && steps[next].diffId === diffId && !neededAfter(diffId, next)) await sendStep(body, size);
      else waiting.set(diffId, { file: file ?? (await spool(body)), size });
      await flush();
    }
    await flush();
    if (next < steps.length) {
      throw new EngineError(`docker save gave no file for layer ${steps[next].index + 1} (${steps[next].diffId})`, { hint: 'run the transfer again; if it repeats, rerun with --debug and report it' });
    }
  } catch (err) {
    saved.destroy();
    throw err;
  } finally {
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  }
  result.final = await packToBuffer(small);
  return result;
}
