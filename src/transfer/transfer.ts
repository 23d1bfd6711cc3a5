// transferctl transfer: send an image to another engine, only the layers it lacks.
// local inspect → remote probe → plan (plain data) → docker save | filter | remote load → verify.
import { PassThrough, Readable } from 'node:stream';
import { EngineError, UserError } from '../errors.js';
import type { Engine } from '../engine/index.js';
import { chainSetOf } from './chain.js';
import { filterSave, type FilterStats } from './layer-filter.js';
import { layerSelector } from './layer-select.js';
import { localImage, shortId } from './local-image.js';
import { stepImagesThere } from './layer-steps.js';
import { sendInSteps } from './resume-send.js';
import { estimateSend, layerSizesFromHistory, planLayers, planWhole } from './plan.js';
import type { Remote } from './remote.js';

export interface TransferProgress {
  phase: 'probe' | 'plan' | 'layer' | 'bytes' | 'verify';
  message?: string;
  /** Bytes of layer files known to travel so far (each layer's size is known when it starts). */
  toSend?: number;
  /** Bytes written to the other side so far. */
  sent?: number;
}

export interface TransferOptions {
  engine: Engine;
  image: string;
  remote: Remote;
  /** Move a tag there that points at an image transferctl did not make. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
}

export interface TransferResult {
  image: string;
  imageId: string;
  target: string;
  /** partial: only missing layers; whole: everything (containerd store); none: already there. */
  mode: 'partial' | 'whole' | 'none';
  layers: { total: number; sent: number; alreadyThere: number };
  /** Bytes of the tarball sent (what crossed ssh, before ssh's own framing). */
  bytesSent: number;
  layerBytesSent: number;
  layerBytesSkipped: number;
  remoteImageId: string;
  seconds: number;
  /** Where the time went (ms): asking the remote, save→filter→ssh→load, checking the ID. */
  timings: { probe: number; send: number; readSave: number; verify: number };
  notes: string[];
}

function counting(input: Readable, onBytes: (n: number) => void): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  input.on('data', (c: Buffer) => onBytes(c.length));
  input.on('error', (e) => out.destroy(e));
  out.on('close', () => input.destroy());
  input.pipe(out);
  return out;
}

export async function transferImage(opts: TransferOptions): Promise<TransferResult> {
  const t0 = performance.now();
  const say = (p: TransferProgress) => opts.onProgress?.(p);
  const { engine, remote } = opts;
  const local = await localImage(engine, opts.image);
  const { id, layers } = local.details;
  const name = local.ref ?? id;
  const notes: string[] = [];

  // `docker save` of a big image takes seconds before its first byte (Docker writes every layer
  // to a temporary folder first): start it now, while ssh connects and the remote is asked.
  const saving = engine.images.save([name]);
  saving.catch(() => {}); // handled where it is awaited; not an unhandled rejection meanwhile
  const history = engine.images.history(name).catch(() => []);
  const dropSave = () => void saving.then((s) => s.destroy()).catch(() => {});
  say({ phase: 'probe', message: `asking ${remote.describe} which layers it has` });
  const timings = { probe: 0, send: 0, readSave: 0, verify: 0 };
  let mark = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return Math.round(ms);
  };
  let session;
  try {
    session = await remote.open(opts.signal);
  } catch (err) {
    dropSave();
    throw err;
  }
  timings.probe = lap();
  const state = session.state;
  const done = (mode: TransferResult['mode'], stats: Partial<FilterStats>, sent: number, remoteImageId: string): TransferResult => ({
    image: name,
    imageId: id,
    target: remote.describe,
    mode,
    layers: { total: layers.length, sent: stats.keptLayers ?? 0, alreadyThere: layers.length - (stats.keptLayers ?? 0) },
    bytesSent: sent,
    layerBytesSent: stats.keptLayerBytes ?? 0,
    layerBytesSkipped: stats.droppedLayerBytes ?? 0,
    remoteImageId,
    seconds: (performance.now() - t0) / 1000,
    timings,
    notes,
  });
  const there = local.ref ? state.images.find((i) => i.tags.includes(local.ref!)) : undefined;
  if (there && there.id !== id && !there.managed && !opts.force) {
    session.close();
    dropSave();
    throw new UserError(`${remote.describe} already has ${local.ref} as another image (${shortId(there.id)}), which transferctl did not make`, {
      hint: 'pass --force to move that tag to this image there, or tag the image under another name first',
    });
  }

  if (state.images.some((i) => i.id === id)) {
    dropSave();
    notes.push(`${remote.describe} already has this image; nothing was sent`);
    say({ phase: 'verify', message: `checking the image ID on ${remote.describe}` });
    const got = local.ref && there?.id !== id ? await session.tag(id, local.ref) : await session.check(name);
    timings.verify = lap();
    return done('none', {}, 0, verify(remote, name, id, got));
  }

  let plan;
  if (state.containerdStore) {
    notes.push(
      `the engine there (Docker ${state.serverVersion}) keeps images in containerd's store, which cannot load a partial image; sending the whole image`,
    );
    plan = planWhole(layers);
  } else {
    plan = planLayers(layers, chainSetOf(state.images.map((i) => i.layers)));
  }
  const estimate = estimateSend(plan, layerSizesFromHistory(layers.length, await history));
  say({
    phase: 'plan',
    message: `${layers.length - plan.missing} of ${layers.length} layers already there; sending ${plan.missing} (about ${(estimate / 1e6).toFixed(1)} MB)`,
    toSend: estimate,
    sent: 0,
  });

  let saved: Readable;
  try {
    saved = await saving;
  } catch (err) {
    session.close();
    throw err;
  }
  // Several missing layers (or steps an interrupted run left there): one load per layer, so a
  // cut connection costs at most the layer in flight (layer-steps.ts).
  const leftovers = state.containerdStore ? [] : stepImagesThere(layers, id, new Set(state.images.map((i) => i.id)), local.details.architecture);
  if (!state.containerdStore && (plan.missing >= 2 || leftovers.length > 0)) {
    if (leftovers.length) notes.push(`resumed: ${plan.diffIds.length - plan.missing} of ${layers.length} layers were there already (${leftovers.length} left by an interrupted transfer)`);
    let sent = 0;
    let lastReport = 0;
    const sendStart = performance.now();
    const stats = await sendInSteps(saved, layerSelector(plan.diffIds, plan.send), {
      session,
      plan,
      imageId: id,
      architecture: local.details.architecture,
      onLayer: (e) =>
        say({ phase: 'layer', message: e.done ? `layer ${e.loaded} of ${e.of} loaded there` : `sending layer ${e.loaded + 1} of ${e.of} (${(e.size / 1e6).toFixed(1)} MB)`, toSend: estimate, sent }),
      onBytes: (n) => {
        sent += n;
        if (sent - lastReport >= 4 << 20) {
          lastReport = sent;
          say({ phase: 'bytes', toSend: Math.max(estimate, sent), sent });
        }
      },
    }).catch((err) => {
      session.close();
      throw err;
    });
    timings.readSave = Math.round(performance.now() - sendStart);
    await session.loadStep(Readable.from([stats.final]), stats.final.length);
    sent += stats.final.length;
    await session.remove([...new Set([...leftovers, ...stats.stepIds])]);
    timings.send = lap();
    say({ phase: 'verify', message: `checking the image ID on ${remote.describe}` });
    const got = await session.check(name);
    timings.verify = lap();
    return done('partial', stats, sent, verify(remote, name, id, got));
  }
  let known = 0;
  let toSend = estimate;
  let sent = 0;
  let lastReport = 0;
  const filtered = filterSave(saved, layerSelector(plan.diffIds, plan.send), {
    onLayer: ({ size, kept }) => {
      if (!kept) return;
      known += size;
      toSend = Math.max(estimate, known);
      say({ phase: 'layer', message: `sending a layer of ${(size / 1e6).toFixed(1)} MB`, toSend, sent });
    },
  });
  const wire = counting(filtered.output, (n) => {
    sent += n;
    if (sent - lastReport >= 4 << 20) {
      lastReport = sent;
      say({ phase: 'bytes', toSend, sent });
    }
  });
  const sendStart = performance.now();
  const [stats, outcome] = await Promise.all([
    filtered.stats.then((s) => ((timings.readSave = Math.round(performance.now() - sendStart)), s)),
    session.load(wire, name).catch((err) => {
      wire.destroy(); // stops the filter and `docker save` too
      throw err;
    }),
  ]);
  timings.send = lap();
  say({ phase: 'bytes', toSend: sent, sent });
  if (state.containerdStore && outcome.imageId !== id && sameLayers(outcome.layers, layers)) {
    // containerd's store names an image by its manifest's digest, not its config's.
    notes.push(`the image ID there (${shortId(outcome.imageId ?? '')}) is its manifest digest in containerd's store; its layers were checked instead`);
    return done('whole', stats, sent, outcome.imageId!);
  }
  return done(state.containerdStore ? 'whole' : 'partial', stats, sent, verify(remote, name, id, outcome.imageId));
}

function sameLayers(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return !!a && a.length === b.length && a.every((x, i) => x === b[i]);
}

function verify(remote: Remote, name: string, id: string, got: string | null): string {
  if (got !== id) {
    throw new EngineError(`after loading, ${remote.describe} has ${name} as ${got ? shortId(got) : 'nothing'}, not ${shortId(id)}`, {
      hint: 'run the transfer again; if it repeats, rerun with --debug and report it',
    });
  }
  return got;
}
