// Images, through the Engine API.
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { splitRef } from '../image-ref.js';
import { EngineError } from '../errors.js';
import { call, callOrNull, missedUnsentLayers } from './errors.js';
import { toImageDetails, toImageSummary } from './map.js';
import { followProgress } from './progress.js';
import type { EngineEndpoint, ImageDetails, ImageSummary, Labels, OnProgress, RegistryAuth } from './types.js';

export interface BuildOptions {
  tags: string[];
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  labels?: Labels;
  target?: string;
  pull?: boolean;
  noCache?: boolean;
  networkMode?: string;
  /** Aborts the build (Ctrl-C): the engine stops when the connection closes. */
  signal?: AbortSignal;
}

export interface ImageApi {
  inspect(ref: string): Promise<ImageDetails | null>;
  list(filter?: { labels?: string[]; reference?: string; danglingOnly?: boolean }): Promise<ImageSummary[]>;
  build(context: Readable, opts: BuildOptions, onProgress?: OnProgress): Promise<string>;
  pull(ref: string, onProgress?: OnProgress, auth?: RegistryAuth): Promise<void>;
  push(ref: string, onProgress?: OnProgress, auth?: RegistryAuth): Promise<string | undefined>;
  tag(source: string, repo: string, tag: string): Promise<void>;
  remove(ref: string, opts?: { force?: boolean; noprune?: boolean }): Promise<void>;
  /** `docker save`: a tar stream of the images. */
  save(refs: string[]): Promise<Readable>;
  /** `docker load`: returns the loaded image names/ids. */
  load(tar: Readable, onProgress?: OnProgress): Promise<string[]>;
  /**
   * A partial `docker load`: the archive's manifest names layers the engine already has
   * without sending them. Engines that cannot take that (the containerd image store) fail
   * with kind 'partial-load-unsupported'.
   */
  loadLayer(tar: Readable, onProgress?: OnProgress): Promise<string[]>;
  /** `docker import`: a root filesystem tar as an image. */
  importRootfs(tar: Readable, ref: string, opts?: { changes?: string[]; onProgress?: OnProgress }): Promise<void>;
  /** `docker history`: the steps that made the image, newest first (size: bytes the step's layer adds). */
  history(ref: string): Promise<ImageHistoryEntry[]>;
}

export interface ImageHistoryEntry {
  id: string;
  createdBy: string;
  size: number;
  created: number;
}

export function imageApi(docker: Docker, ep: EngineEndpoint): ImageApi {
  return {
    async inspect(ref) {
      const info = await callOrNull(ep, `inspect image ${ref}`, () => docker.getImage(ref).inspect());
      return info ? toImageDetails(info) : null;
    },
    async list(filter = {}) {
      const filters: Record<string, string[]> = {};
      if (filter.labels) filters.label = filter.labels;
      if (filter.reference) filters.reference = [filter.reference];
      if (filter.danglingOnly) filters.dangling = ['true'];
      const list = await call(ep, 'list images', () => docker.listImages({ filters }));
      return list.map(toImageSummary);
    },
    async build(context, opts, onProgress) {
      const stream = (await call(ep, 'build', () =>
        docker.buildImage(context as NodeJS.ReadableStream, {
          t: opts.tags,
          dockerfile: opts.dockerfile,
          buildargs: opts.buildArgs,
          labels: opts.labels,
          target: opts.target,
          pull: opts.pull ? '1' : undefined,
          nocache: opts.noCache,
          networkmode: opts.networkMode,
          rm: true,
          forcerm: true,
          abortSignal: opts.signal,
        } as unknown as Docker.ImageBuildOptions),
      )) as unknown as Readable;
      opts.signal?.addEventListener('abort', () => stream.destroy(), { once: true });
      const events = await followProgress(stream, onProgress, 'build');
      const aux = events.map((e) => e.aux?.ID).filter(Boolean).pop();
      if (aux) return aux;
      const built = events.map((e) => /Successfully built ([0-9a-f]+)/.exec(e.stream ?? '')?.[1]).filter(Boolean).pop();
      if (built) return (await this.inspect(built))?.id ?? built;
      const img = opts.tags[0] ? await this.inspect(opts.tags[0]) : null;
      if (!img) throw new Error('the engine reported no image for the build');
      return img.id;
    },
    async pull(ref, onProgress, auth) {
      const stream = (await call(ep, `pull ${ref}`, () => docker.pull(ref, auth ? { authconfig: auth } : {}))) as unknown as Readable;
      await followProgress(stream, onProgress, `pull ${ref}`);
    },
    async push(ref, onProgress, auth) {
      const stream = (await call(ep, `push ${ref}`, () =>
        docker.getImage(ref).push(auth ? { authconfig: auth } : ({} as Docker.ImagePushOptions)),
      )) as unknown as Readable;
      const events = await followProgress(stream, onProgress, `push ${ref}`);
      return events.map((e) => e.aux?.Digest).filter(Boolean).pop();
    },
    async tag(source, repo, tag) {
      await call(ep, `tag ${source} as ${repo}:${tag}`, () => docker.getImage(source).tag({ repo, tag }));
    },
    async remove(ref, opts = {}) {
      await callOrNull(ep, `remove image ${ref}`, () => docker.getImage(ref).remove({ force: opts.force, noprune: opts.noprune }));
    },
    async save(refs) {
      return (await call(ep, `save ${refs.join(' ')}`, () =>
        (docker as unknown as { getImages(o: object): Promise<Readable> }).getImages({ names: refs }),
      )) as Readable;
    },
    async load(tar, onProgress) {
      const stream = (await call(ep, 'load', () => docker.loadImage(tar as NodeJS.ReadableStream, { quiet: false }))) as unknown as Readable;
      const events = await followProgress(stream, onProgress, 'load');
      return events
        .map((e) => /^Loaded image(?: ID)?: (.+)$/.exec((e.stream ?? '').trim())?.[1])
        .filter((x): x is string => !!x);
    },
    async loadLayer(tar, onProgress) {
      try {
        return await this.load(tar, onProgress);
      } catch (err) {
        const message = (err as Error)?.message ?? '';
        if (missedUnsentLayers(message)) throw new EngineError(message, { cause: err, kind: 'partial-load-unsupported' });
        throw err;
      }
    },
    async history(ref) {
      const list = (await call(ep, `history of ${ref}`, () => docker.getImage(ref).history())) as {
        Id: string;
        CreatedBy: string;
        Size: number;
        Created: number;
      }[];
      return list.map((h) => ({ id: h.Id, createdBy: h.CreatedBy, size: h.Size, created: h.Created }));
    },
    async importRootfs(tar, ref, opts = {}) {
      const [repo, tag] = splitRef(ref);
      const stream = (await call(ep, `import ${ref}`, () =>
        docker.importImage(tar as NodeJS.ReadableStream, { repo, tag, changes: opts.changes } as object),
      )) as unknown as Readable;
      await followProgress(stream, opts.onProgress, `import ${ref}`);
    },
  };
}
