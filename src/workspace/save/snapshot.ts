// commit and save: one new layer in a clean temporary container, committed with the base
// image's own config, tagged only once complete. Killed at any moment, the previous image,
// its tags and the workspace folder are as they were; the janitor removes what is left.
import { rmSync } from 'node:fs';
import { UserError } from '../../errors.js';
import type { Engine, ImageDetails } from '../../engine/index.js';
import type { WorkspaceSpec } from '../../config/types.js';
import { debug } from '../../log.js';
import { findWorkspaceContainer, foreignContainerError } from '../find.js';
import { isManaged } from '../../labels.js';
import { chooseBase } from './base.js';
import { envArchive } from './env.js';
import { detectEnvironment, observeEnvironment } from './env-detect.js';
import { snapshotConfig } from './image-config.js';
import { MANIFEST_NAME, S, type SnapshotKind } from './labels.js';
import { archivePathOf, currentRef, snapshotRepo, snapshotTags, squashAfterOf } from './target.js';
import { createTemporary, runInTemporary } from './temp-container.js';
import { archiveLabels, assertWrittenUnchanged, canLoadLayer, manifestFor, planArchive, startHashing, useFastCopy, writeArchive, type ArchiveStats, type ArchiveWork } from './archive-layer.js';
import { loadLayer, PartialLoadUnsupported } from './layer-load.js';
import { rememberManifest } from './manifest-cache.js';
import { scanFolder } from './scan.js';
import { makeListsDir } from './lists.js';

const log = debug('save');

export interface SnapshotOptions {
  kind: SnapshotKind;
  /** A tag instead of commit.tag / timestamp+latest. */
  tag?: string;
  /** Record the environment again even when `docker diff` looks the same. */
  forceEnv?: boolean;
  /** Move a tag that transferctl did not create. */
  force?: boolean;
  signal?: AbortSignal;
  onStep?: (message: string) => void;
  /** Settles when the sweep of killed runs' leftovers is done (cli/context.ts); awaited before a temporary is made. */
  swept?: Promise<void>;
}

export interface SnapshotResult {
  kind: SnapshotKind;
  image: string;
  imageId: string;
  tags: string[];
  /** False when nothing changed since the previous save (no new image). */
  created: boolean;
  base: 'previous' | 'fresh';
  why: string;
  squashed: boolean;
  env: { changed: boolean; copied: number; removed: number };
  archive?: ArchiveStats;
  skipped: string[];
  seconds: number;
}

/** Test seam: TRANSFERCTL_TEST_HANG_AT=<stage> stops here forever (the kill tests use it). */
async function checkpoint(stage: string): Promise<void> {
  log(`stage ${stage}`);
  if (process.env.TRANSFERCTL_TEST_HANG_AT === stage) {
    process.stderr.write(`transferctl: test hang at ${stage}\n`);
    // A timer, so that the process stays until it is killed (a bare pending promise lets node
    // exit as soon as nothing else is under way).
    await new Promise(() => setInterval(() => {}, 60_000));
  }
}

function aborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason;
}

async function previousImage(engine: Engine, ref: string, force?: boolean): Promise<ImageDetails | null> {
  const img = await engine.images.inspect(ref);
  if (img && !isManaged(img.labels) && !force) {
    throw new UserError(`the tag ${ref} belongs to an image transferctl did not make`, {
      hint: 'choose another commit.name / commit.tag, or pass --force to move that tag anyway (the image itself is kept)',
    });
  }
  return img;
}

export async function snapshot(engine: Engine, spec: WorkspaceSpec, opts: SnapshotOptions): Promise<SnapshotResult> {
  const started = Date.now();
  const step = opts.onStep ?? (() => {});
  const swept = opts.swept ?? Promise.resolve();
  // A leftover temporary container is never taken for the workspace's (find.ts), so the two
  // run together; the folder is read (synchronously) while the engine answers both.
  const finding = findWorkspaceContainer(engine, spec);
  finding.catch(() => {});
  const repo = snapshotRepo(spec);
  const tags = snapshotTags(spec, new Date(), opts.tag);
  const archivePath = archivePathOf(spec);
  if (opts.kind === 'save') step(`reading ${spec.volume.hostDir}`);
  const scan = opts.kind === 'save' ? scanFolder(spec.volume.hostDir) : undefined;
  await swept;
  const found = await finding;
  if (found.kind === 'foreign') throw foreignContainerError(spec, found.container);
  const container = found.kind === 'ours' ? found.container : null;
  if (!container && opts.kind === 'commit') {
    throw new UserError(`workspace ${spec.identity} has no container to commit`, { hint: 'start it with `transferctl up`, install what you need, then commit' });
  }
  // What changed in the container since its image: asked now, used once the folder is read.
  const envSeen = container ? observeEnvironment(engine, container, { mountPoint: spec.volume.mountPoint, archivePath }) : null;
  envSeen?.catch(() => {});
  const ciRef = container?.imageId ?? spec.image.name;
  const containerImage = await engine.images.inspect(ciRef);
  if (!containerImage) {
    throw new UserError(`workspace ${spec.identity} has neither a container nor its image ${spec.image.name}`, { hint: 'run `transferctl up` first' });
  }
  const previous = await previousImage(engine, currentRef(spec, opts.tag), opts.force);
  const choice = chooseBase({
    kind: opts.kind,
    previous,
    containerImage,
    hasContainer: !!container,
    archivePath,
    squashAfter: squashAfterOf(spec),
  });
  log(`base ${choice.mode} ${choice.base.id.slice(7, 19)}: ${choice.why}`);

  let tempId: string | undefined;
  let newId: string | undefined;
  /** The environment's layer, committed below a loaded archive layer (untagged; removed after). */
  let envImageId: string | undefined;
  /** The manifest this save wrote into the archive (kept on this machine once tagged). */
  let manifest: Buffer | undefined;
  let done = false;
  // A local engine mounts the folder to copy straight from (see archive-layer.ts) and a folder
  // with the temporary container's lists.
  const local = engine.isLocal;
  const lists = local ? makeListsDir() : undefined;
  try {
    tempId = await createTemporary(engine, choice.base.id, opts.kind, {
      labels: { [S.sourceContainer]: container?.name ?? '' },
      source: opts.kind === 'save' && local ? spec.volume.hostDir : undefined,
      lists,
      archivePath,
    });
    await checkpoint('created');
    aborted(opts.signal);

    // The environment: changed since the base recorded it? (decided while the folder is read)
    const envDecision = detectEnvironment(engine, {
      seen: envSeen,
      containerImageId: containerImage.id,
      base: choice.base,
      previousRecord: choice.readEnvRecord,
      forceEnv: opts.forceEnv,
      tempId,
    });
    envDecision.catch(() => {});

    // The archive: the folder against the base's manifest.
    let archive: ArchiveStats | undefined;
    let work: ArchiveWork | undefined;
    let hashes: Promise<Map<string, string>> | undefined;
    if (opts.kind === 'save') {
      work = await planArchive(engine, tempId, {
        hostDir: spec.volume.hostDir,
        scan,
        archivePath,
        baseHasArchive: choice.baseHasArchive,
        manifestSha256: choice.base.labels[S.manifestSha256],
      });
      archive = {
        path: archivePath,
        files: Number(choice.base.labels[S.files] ?? 0),
        bytes: Number(choice.base.labels[S.bytes] ?? 0),
        written: work.write.filter((e) => e.type === 'file').length,
        writtenBytes: work.write.reduce((n, e) => n + e.size, 0),
        removed: work.remove.length,
        layers: choice.archiveLayers + (work.changed ? 1 : 0),
        method: canLoadLayer(engine, work) ? 'load' : useFastCopy(engine, work) ? 'cp' : 'tar',
      };
      log(`archive: ${archive.written} to write (${archive.writtenBytes} B) by ${archive.method}, ${archive.removed} removed, ${work.rehashed} re-hashed`);
      // The fast copy's hashing begins now, while the environment is looked at and the copy starts.
      if (archive.method === 'cp' && lists) hashes = startHashing(spec.volume.hostDir, work);
    }
    const skipped = work?.scan.skipped ?? [];
    const { current, ops: envOps, changed: envChanged, labels: envLabels } = await envDecision;
    log(`environment ${envChanged ? 'changed' : 'unchanged'}`);
    const removals = [...envOps.remove, ...(work?.remove ?? []).map((p) => `${archivePath}/${p}`)];

    if (!envChanged && !work?.changed && choice.mode === 'previous') {
      step('nothing changed since the previous save');
      return {
        kind: opts.kind,
        image: `${repo}:${tags[0]}`,
        imageId: choice.base.id,
        tags: [],
        created: false,
        base: choice.mode,
        why: choice.why,
        squashed: false,
        env: { changed: false, copied: 0, removed: 0 },
        archive,
        skipped,
        seconds: (Date.now() - started) / 1000,
      };
    }

    const copyEnv = async () => {
      aborted(opts.signal);
      if (!envChanged || !container) return;
      step(`copying ${envOps.copy.length} environment change(s) from ${container.name}`);
      const env = envArchive(engine, container.id, envOps, current);
      await Promise.all([engine.containers.putArchive(tempId!, '/', env.stream), env.done]);
    };
    const labels: Record<string, string> = { [S.kind]: opts.kind, ...envLabels, [S.sourceContainer]: container?.name ?? '' };
    const commit = (config: Record<string, string>) =>
      engine.containers.commitWithConfig(tempId!, { config: snapshotConfig(choice.base, spec, config), comment: `transferctl ${opts.kind}`, pause: false });

    if (work && archive && canLoadLayer(engine, work)) {
      // The folder's layer goes in by `docker load`; the environment's changes (when any) are
      // committed first from the temporary container, as a layer below it.
      let below = choice.base;
      if (envChanged && container) {
        await runInTemporary(engine, tempId, envOps.remove, lists);
        await copyEnv();
        envImageId = await commit(labels);
        below = (await engine.images.inspect(envImageId)) ?? choice.base;
      }
      step(`writing ${archive.written} file(s) into ${archivePath}${work.remove.length ? `, removing ${work.remove.length} path(s)` : ''}`);
      manifest = await manifestFor(work, spec.volume.hostDir, archive);
      await checkpoint('copied');
      aborted(opts.signal);
      Object.assign(labels, archiveLabels(archivePath, archive));
      try {
        newId = await loadLayer(engine, {
          root: spec.volume.hostDir,
          prefix: archivePath.slice(1),
          entries: work.write,
          removed: work.remove,
          manifestName: MANIFEST_NAME,
          manifest,
          now: new Date(),
          base: below,
          config: snapshotConfig(choice.base, spec, labels),
          createdBy: `transferctl ${opts.kind}: ${archive.written} file(s) into ${archivePath}`,
        });
        assertWrittenUnchanged(spec.volume.hostDir, work);
      } catch (err) {
        if (!(err instanceof PartialLoadUnsupported)) throw err;
        log(`the engine cannot load a partial image (${err.message}); writing through the temporary container`);
        archive.method = useFastCopy(engine, work) ? 'cp' : 'tar';
        manifest = await writeArchive(engine, tempId, { work, hostDir: spec.volume.hostDir, archivePath, removals: work.remove.map((p) => `${archivePath}/${p}`), fast: archive.method === 'cp', lists, between: async () => {}, stats: archive });
        Object.assign(labels, archiveLabels(archivePath, archive));
        newId = await commit(labels);
      }
    } else {
      if (work && archive) {
        step(`copying ${archive.written} file(s) into ${archivePath}${removals.length ? `, removing ${removals.length} path(s)` : ''}`);
        manifest = await writeArchive(engine, tempId, { work, hostDir: spec.volume.hostDir, archivePath, removals, fast: archive.method === 'cp', lists, between: copyEnv, stats: archive, hashes });
      } else {
        await runInTemporary(engine, tempId, removals, lists);
        await copyEnv();
      }
      await checkpoint('copied');
      aborted(opts.signal);
      step('committing');
      if (archive) Object.assign(labels, archiveLabels(archivePath, archive));
      newId = await commit(labels);
    }
    await checkpoint('committed');
    aborted(opts.signal);
    for (const tag of tags) await engine.images.tag(newId, repo, tag);
    log(`tagged ${newId.slice(7, 19)} as ${tags.join(', ')}`);
    done = true;
    if (manifest) rememberManifest(manifest);
    return {
      kind: opts.kind,
      image: `${repo}:${tags[0]}`,
      imageId: newId,
      tags: tags.map((t) => `${repo}:${t}`),
      created: true,
      base: choice.mode,
      why: choice.why,
      squashed: choice.squashed,
      env: { changed: envChanged, copied: envOps.copy.length, removed: envOps.remove.length },
      archive,
      skipped,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (err) {
    // Nothing half-done: an image no tag points at yet goes away.
    if (newId) {
      const img = await engine.images.inspect(newId).catch(() => null);
      if (img && img.repoTags.length === 0) await engine.images.remove(newId).catch(() => {});
    }
    throw err;
  } finally {
    // Once the new image is tagged, the engine may delete the temporary copy after we return.
    if (tempId) {
      const gone = done ? engine.containers.removeInBackground(tempId) : engine.containers.remove(tempId, { force: true });
      await gone.catch(() => {});
    }
    if (lists) rmSync(lists, { recursive: true, force: true });
    // The loaded image holds the environment layer itself; this untagged record is not needed.
    if (envImageId && envImageId !== newId) await engine.images.remove(envImageId).catch(() => {});
  }
}
