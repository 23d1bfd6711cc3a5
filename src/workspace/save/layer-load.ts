// A save's new layer goes into the engine as a partial `docker load` archive: manifest.json
// names the base image's layers and one new layer.tar, and only the new one travels. The
// engine skips layers it has (by chain ID, see ENGINE.md) and never opens their files. No
// temporary container gets the folder's copy, nothing is committed, nothing is deleted after.
// Engines that cannot load a partial archive (the containerd image store) say so: the caller
// then takes the temporary-container path.
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { UserError } from '../../errors.js';
import { failureKind, type Engine, type ImageConfigSpec, type ImageDetails } from '../../engine/index.js';
import { toCommitBody } from '../../engine/snapshots.js';
import { fillPack, packEntry } from '../../tar-entries.js';
import { layerTarSize, layerTarStream, type LayerTarRequest } from './layer-tar.js';

export interface LoadLayerRequest extends LayerTarRequest {
  base: ImageDetails;
  config: ImageConfigSpec;
  /** "created_by" of the new layer in the image history. */
  createdBy: string;
}

/** A load failed because the engine wanted the base layers' files: take another path. */
export class PartialLoadUnsupported extends Error {}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

type History = Awaited<ReturnType<Engine['images']['history']>>;

/** The new image's config: the base's platform and history, our config, one more layer. */
function imageConfigJson(req: LoadLayerRequest, baseHistory: History, diffId: string): Buffer {
  const steps = baseHistory.slice().reverse();
  const history = steps.map((h) => ({
    created: iso(h.created),
    created_by: h.createdBy,
    ...(h.size === 0 ? { empty_layer: true } : {}),
  }));
  history.push({ created: req.now.toISOString(), created_by: req.createdBy });
  const config = {
    architecture: req.base.architecture ?? 'amd64',
    os: req.base.os ?? 'linux',
    created: req.now.toISOString(),
    config: toCommitBody(req.config),
    rootfs: { type: 'layers', diff_ids: [...req.base.layers, diffId] },
    history,
  };
  return Buffer.from(JSON.stringify(config));
}

/** Load the base plus one new layer; resolves with the new (untagged) image's ID. */
export async function loadLayer(engine: Engine, req: LoadLayerRequest): Promise<string> {
  // Asked now, while the layer streams: the config needs it only at the end.
  const baseHistory = engine.images.history(req.base.id).catch((): History => []);
  const size = await layerTarSize(req);
  const layer = layerTarStream(req);
  const dir = randomBytes(16).toString('hex');
  const outer = tar.pack();
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  const feeding = pipeline(outer as unknown as Readable, body);
  let imageId = '';
  const meta = { mode: 0o644, mtime: new Date(0) };
  const writing = fillPack(
    outer,
    async () => {
      await packEntry(outer, { ...meta, name: `${dir}/layer.tar`, size }, layer.stream);
      const diffId = await layer.diffId;
      const config = imageConfigJson(req, await baseHistory, diffId);
      const hex = createHash('sha256').update(config).digest('hex');
      imageId = `sha256:${hex}`;
      // The base layers' files are named but not sent: the engine has them.
      const layers = [...req.base.layers.map((_, i) => `base-${i}/layer.tar`), `${dir}/layer.tar`];
      await packEntry(outer, { ...meta, name: `${hex}.json` }, config);
      await packEntry(outer, { ...meta, name: 'manifest.json' }, Buffer.from(JSON.stringify([{ Config: `${hex}.json`, RepoTags: null, Layers: layers }])));
    },
    body,
  );
  feeding.catch(() => {});
  let loaded: string[];
  try {
    [loaded] = await Promise.all([engine.images.loadLayer(body), writing]);
  } catch (err) {
    body.destroy();
    const own = await writing.then(
      () => null,
      (e: unknown) => e,
    );
    if (own instanceof UserError) throw own; // a file that changed while it was read says so itself
    if (failureKind(err) === 'partial-load-unsupported') throw new PartialLoadUnsupported((err as Error).message);
    throw err;
  }
  if (!loaded.some((x) => x === imageId || x.endsWith(imageId.slice(7)))) {
    throw new Error(`the engine loaded ${loaded.join(', ') || 'nothing'}, not ${imageId}`);
  }
  return imageId;
}
