// transferctl import: load an image tarball, after checking that the engine has every layer
// the file leaves out (and saying which base image it needs when not).
import { UserError } from '../errors.js';
import type { Engine } from '../engine/index.js';
import { L } from '../labels.js';
import { chainSetOf } from './chain.js';
import { shortId } from './local-image.js';
import { requiredChains } from './meta.js';
import { openArchive, readArchive } from './read-archive.js';

export interface ImportOptions {
  engine: Engine;
  file: string;
  /** Move a local tag that names an image transferctl did not make. */
  force?: boolean;
  signal?: AbortSignal;
}

export interface ImportResult {
  file: string;
  images: { imageId: string; repoTags: string[]; layers: number; layersInFile: number }[];
  loaded: string[];
}

async function localChains(engine: Engine): Promise<Set<string>> {
  const lists: string[][] = [];
  for (const s of await engine.images.list()) {
    const d = await engine.images.inspect(s.id);
    if (d) lists.push(d.layers);
  }
  return chainSetOf(lists);
}

export async function importImage(opts: ImportOptions): Promise<ImportResult> {
  const { engine, file } = opts;
  const info = await readArchive(file);
  const partial = info.images.some((i) => i.included.some((inc) => !inc));
  if (partial && (await engine.info()).containerdSnapshotter) {
    throw new UserError(
      `${file} leaves out its base layers, and this engine (${engine.endpoint.url}) keeps images in containerd's store, which cannot load such a tarball`,
      { hint: 'export the image again without --without (the whole image), or import into an engine with the classic image store' },
    );
  }
  const have = await localChains(engine);
  for (const img of info.images) {
    const missing = requiredChains(img.diffIds, img.included).filter((c) => !have.has(c));
    if (missing.length > 0) {
      const bases = info.meta?.bases ?? [];
      const named = bases.length ? bases.map((b) => `${b.ref} (${shortId(b.id)})`).join(', ') : undefined;
      const count = img.included.filter((i) => !i).length;
      throw new UserError(
        `${file} leaves out ${count} layer${count === 1 ? '' : 's'} that this engine (${engine.endpoint.url}) does not have: ` +
          (named ? `it needs the base image ${named}` : `it was made for an engine holding chain ${shortId(missing[0])}`),
        {
          hint: named
            ? `load ${bases[0].ref} here first (transferctl import BASE.tar, or docker load), then import again`
            : 'load the base image it was exported against first, then import again',
        },
      );
    }
    for (const tag of img.repoTags) {
      const current = await engine.images.inspect(tag);
      if (current && current.id !== img.imageId && current.labels[L.managed] !== 'true' && !opts.force) {
        throw new UserError(`${tag} already names another image here (${shortId(current.id)}), which transferctl did not make`, {
          hint: 'pass --force to move the tag to the imported image',
        });
      }
    }
  }
  const stream = openArchive(file).stream();
  opts.signal?.addEventListener('abort', () => stream.destroy(), { once: true });
  const loaded = await engine.images.load(stream);
  for (const img of info.images) {
    if (!(await engine.images.inspect(img.imageId)) && !(await sameLayersUnderTag(engine, img.repoTags, img.diffIds))) {
      throw new UserError(`loading ${file} did not produce image ${shortId(img.imageId)}`, { hint: 'the file may be damaged; export it again' });
    }
  }
  return {
    file,
    images: info.images.map((i) => ({ imageId: i.imageId, repoTags: i.repoTags, layers: i.diffIds.length, layersInFile: i.included.filter(Boolean).length })),
    loaded,
  };
}

/**
 * containerd's image store names an image by its manifest's digest, the classic store by its
 * config's: between the two the IDs differ, so a tag carrying exactly the file's layers counts.
 */
async function sameLayersUnderTag(engine: Engine, tags: readonly string[], diffIds: readonly string[]): Promise<boolean> {
  for (const tag of tags) {
    const d = await engine.images.inspect(tag);
    if (d && d.layers.length === diffIds.length && d.layers.every((l, i) => l === diffIds[i])) return true;
  }
  return false;
}
