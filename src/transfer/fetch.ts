// transferctl transfer IMAGE --from HOST: the same layer arithmetic, reversed. The remote's
// `docker save` goes through GNU tar --delete THERE (no transferctl needed on the remote), so
// only the layer files this engine lacks cross the link; this engine loads the partial
// tarball (it skips layers it has) and the image ID is checked against the remote's.
import { PassThrough, type Readable } from 'node:stream';
import { EngineError, UserError } from '../errors.js';
import type { Engine } from '../engine/index.js';
import { L } from '../labels.js';
import { chainSetOf, legacyLayerDirs } from './chain.js';
import { normalizeTag, shortId } from './local-image.js';
import { planLayers, planWhole, type LayerPlan } from './plan.js';
import type { Remote, RemoteImage } from './remote.js';

export interface FetchOptions {
  engine: Engine;
  image: string;
  remote: Remote;
  /** Move a local tag that points at an image transferctl did not make. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { phase: 'probe' | 'plan' | 'bytes' | 'verify'; message?: string; sent?: number }) => void;
}

export interface FetchResult {
  image: string;
  imageId: string;
  source: string;
  mode: 'partial' | 'whole' | 'none';
  layers: { total: number; fetched: number; alreadyHere: number };
  /** Bytes of the tarball received. */
  bytesReceived: number;
  seconds: number;
  notes: string[];
}

/** Paths inside the remote's `docker save` of the layer files this engine already has. */
export function dropPaths(plan: LayerPlan, serverVersion: string): string[] {
  const major = Number(/^(\d+)/.exec(serverVersion)?.[1] ?? 0);
  const out = new Set<string>();
  if (major >= 25) {
    // OCI layout: an uncompressed layer is blobs/sha256/<diff ID hex>.
    for (const d of plan.diffIds) if (!plan.send.has(d)) out.add(`blobs/sha256/${d.slice(7)}`);
    return [...out];
  }
  // Docker 20.10–24: <v1 id>/layer.tar; the top layer's ID cannot be known here, so it travels.
  const dirs = legacyLayerDirs(plan.diffIds);
  dirs.forEach((dir, i) => {
    if (!plan.send.has(plan.diffIds[i])) out.add(`${dir}/layer.tar`);
  });
  return [...out];
}

function findRemote(images: RemoteImage[], image: string): { img: RemoteImage; ref?: string } | undefined {
  const tag = normalizeTag(image);
  const byTag = images.find((i) => i.tags.includes(tag));
  if (byTag) return { img: byTag, ref: tag };
  const hex = image.replace(/^sha256:/, '');
  const byId = /^[0-9a-f]{12,64}$/.test(hex) ? images.find((i) => i.id.slice(7).startsWith(hex)) : undefined;
  return byId ? { img: byId } : undefined;
}

function counting(input: Readable, onBytes: (n: number) => void): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  input.on('data', (c: Buffer) => onBytes(c.length));
  input.on('error', (e) => out.destroy(e));
  input.pipe(out);
  return out;
}

export async function fetchImage(opts: FetchOptions): Promise<FetchResult> {
  const t0 = performance.now();
  const { engine, remote } = opts;
  const say = opts.onProgress ?? (() => {});
  const notes: string[] = [];
  say({ phase: 'probe', message: `asking ${remote.describe} for ${opts.image}` });
  // What this engine holds, asked while ssh connects.
  const localLayers = (async () => {
    const lists: string[][] = [];
    for (const s of await engine.images.list()) {
      const d = await engine.images.inspect(s.id);
      if (d) lists.push(d.layers);
    }
    return lists;
  })();
  localLayers.catch(() => {});
  const [session, info] = await Promise.all([remote.open(opts.signal), engine.info()]);
  const found = findRemote(session.state.images, opts.image);
  if (!found) {
    session.close();
    throw new UserError(`${remote.describe} has no image "${opts.image}"`, { hint: `see \`docker images\` there; name it as it is tagged there, or by ID` });
  }
  const { img, ref } = found;
  const name = ref ?? img.id;
  const here = ref ? await engine.images.inspect(ref) : null;
  if (here && here.id !== img.id && here.labels[L.managed] !== 'true' && !opts.force) {
    session.close();
    throw new UserError(`this engine already has ${ref} as another image (${shortId(here.id)}), which transferctl did not make`, {
      hint: 'pass --force to move that tag here, or tag your image under another name first',
    });
  }
  const result = (mode: FetchResult['mode'], plan: LayerPlan | undefined, bytes: number): FetchResult => ({
    image: name,
    imageId: img.id,
    source: remote.describe,
    mode,
    layers: { total: img.layers.length, fetched: plan?.missing ?? 0, alreadyHere: img.layers.length - (plan?.missing ?? 0) },
    bytesReceived: bytes,
    seconds: (performance.now() - t0) / 1000,
    notes,
  });

  if (await engine.images.inspect(img.id)) {
    session.close();
    if (ref && here?.id !== img.id) {
      const [repo, tag] = [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)];
      await engine.images.tag(img.id, repo, tag);
    }
    notes.push('this engine already has this image; nothing was fetched');
    return result('none', undefined, 0);
  }

  let plan: LayerPlan;
  if (session.state.containerdStore) {
    // Its save names layer blobs by their stored (often compressed) digests: nothing can be named to leave out.
    notes.push(`${remote.describe} keeps images in containerd's store; fetching the whole image`);
    plan = planWhole(img.layers);
  } else if (info.containerdSnapshotter) {
    notes.push(`this engine keeps images in containerd's store, which cannot load a partial image; fetching the whole image`);
    plan = planWhole(img.layers);
  } else plan = planLayers(img.layers, chainSetOf(await localLayers));
  const drop = plan.missing === plan.diffIds.length ? [] : dropPaths(plan, session.state.serverVersion);
  say({ phase: 'plan', message: `${img.layers.length - plan.missing} of ${img.layers.length} layers already here; fetching ${plan.missing}` });

  let received = 0;
  let lastReport = 0;
  const tar = counting(session.save(name, drop), (n) => {
    received += n;
    if (received - lastReport >= 4 << 20) {
      lastReport = received;
      say({ phase: 'bytes', sent: received });
    }
  });
  opts.signal?.addEventListener('abort', () => tar.destroy(opts.signal!.reason as Error), { once: true });
  await engine.images.load(tar);
  say({ phase: 'verify', message: 'checking the image ID here' });
  const got = await engine.images.inspect(name);
  const sameLayers = !!got && got.layers.length === img.layers.length && got.layers.every((l, i) => l === img.layers[i]);
  // Where either store is containerd's, IDs are digests of different things: the layers must match.
  const differentStores = session.state.containerdStore !== info.containerdSnapshotter;
  if (differentStores && sameLayers) notes.push("the two engines' image stores differ, so their IDs do; the layers were checked instead");
  else if (got?.id !== img.id) {
    throw new EngineError(`after loading, this engine has ${name} as ${got ? shortId(got.id) : 'nothing'}, not ${shortId(img.id)}`, {
      hint: 'run the transfer again; if it repeats, rerun with --debug and report it',
    });
  }
  return result(info.containerdSnapshotter ? 'whole' : 'partial', plan, received);
}
