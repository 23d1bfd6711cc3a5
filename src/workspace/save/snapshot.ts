// commit and save: one new layer in a clean temporary container, committed with the base
// image's own config, tagged only once complete. Killed at any moment, the previous image,
// its tags and the workspace folder are as they were; the janitor removes what is left.
// In order: survey (survey.ts), the temporary container, the archive and environment
// decisions, the plan (plan.ts), the write (write/), the tags.
import { rmSync } from 'node:fs';
import type { Engine } from '../../engine/index.js';
import type { WorkspaceSpec } from '../../config/types.js';
import { debug } from '../../log.js';
import { envArchive } from './env.js';
import { detectEnvironment } from './env-detect.js';
import { snapshotConfig } from './image-config.js';
import { S, type SnapshotKind } from './labels.js';
import { snapshotRepo, snapshotTags } from './target.js';
import { createTemporary } from './temp-container.js';
import { planArchive, startHashing, type ArchiveStats, type ArchiveTally, type ArchiveWork } from './archive-layer.js';
import { rememberManifest } from './manifest-cache.js';
import { makeListsDir } from './lists.js';
import { planSave, planWrite, type SaveFacts, type SaveStage, type WriteChoice } from './plan.js';
import { survey } from './survey.js';
import { writeLayer, type WriteContext } from './write/index.js';

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
  /** Called as the snapshot reaches each stage (the kill test stops the process at one). */
  onStage?: (stage: SaveStage) => void | Promise<void>;
  /** Ambient: TRANSFERCTL_SAVE_VIA forces a write method (plan.ts). */
  env?: NodeJS.ProcessEnv;
  /** Only find out what a save would write (result.pending); write and tag nothing. */
  check?: boolean;
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
  /** With `check`: what a save would write now (paths written or removed, the environment), and whether a save exists. */
  pending?: { env: boolean; files: number; removed: number; saved: boolean };
}

function aborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason;
}

/** The figures as the result reports them, with the method that wrote the folder. */
function statsOf(tally: ArchiveTally, method: ArchiveStats['method']): ArchiveStats {
  const { manifestSha256, ...figures } = tally;
  return { ...figures, method, ...(manifestSha256 ? { manifestSha256 } : {}) };
}

export async function snapshot(engine: Engine, spec: WorkspaceSpec, opts: SnapshotOptions): Promise<SnapshotResult> {
  const started = Date.now();
  const say = opts.onStep ?? (() => {});
  const reached = async (stage: SaveStage) => {
    log(`stage ${stage}`);
    await opts.onStage?.(stage);
    aborted(opts.signal);
  };
  const repo = snapshotRepo(spec);
  const tags = snapshotTags(spec, new Date(), opts.tag);
  const seen = await survey(engine, spec, { kind: opts.kind, tag: opts.tag, force: opts.force, swept: opts.swept, say });
  const { archivePath, container, choice } = seen;
  const hostDir = spec.volume.hostDir;
  // A local engine mounts the folder to copy straight from (write/copy.ts) and a folder with
  // the temporary container's lists.
  const facts: SaveFacts = { local: engine.isLocal, via: (opts.env ?? process.env).TRANSFERCTL_SAVE_VIA };
  const lists = facts.local ? makeListsDir() : undefined;
  let tempId: string | undefined;
  let newId: string | undefined;
  let done = false;
  try {
    tempId = await createTemporary(engine, choice.base.id, opts.kind, {
      labels: { [S.sourceContainer]: container?.name ?? '' },
      source: opts.kind === 'save' && facts.local ? hostDir : undefined,
      lists,
      archivePath,
    });
    await reached('created');

    // The environment: changed since the base recorded it? (decided while the folder is read)
    const envDecision = detectEnvironment(engine, {
      seen: seen.envSeen,
      containerImageId: seen.containerImage.id,
      base: choice.base,
      previousRecord: choice.readEnvRecord,
      forceEnv: opts.forceEnv,
      tempId,
    });
    envDecision.catch(() => {});

    // The archive: the folder against the base's manifest, and how it will be written.
    let archive: { work: ArchiveWork; tally: ArchiveTally; choice: WriteChoice; hashes?: Promise<Map<string, string>> } | undefined;
    if (opts.kind === 'save') {
      const work = await planArchive(engine, tempId, {
        hostDir,
        scan: seen.scan,
        archivePath,
        baseHasArchive: choice.baseHasArchive,
        manifestSha256: choice.base.labels[S.manifestSha256],
      });
      const write = planWrite({ changed: work.changed, write: work.write, skipped: work.scan.skipped.length }, facts);
      const tally: ArchiveTally = {
        path: archivePath,
        files: Number(choice.base.labels[S.files] ?? 0),
        bytes: Number(choice.base.labels[S.bytes] ?? 0),
        written: work.write.filter((e) => e.type === 'file').length,
        writtenBytes: work.write.reduce((n, e) => n + e.size, 0),
        removed: work.remove.length,
        layers: choice.archiveLayers + (work.changed ? 1 : 0),
      };
      log(`archive: ${tally.written} to write (${tally.writtenBytes} B) by ${write.method}, ${tally.removed} removed, ${work.rehashed} re-hashed`);
      // The fast copy's hashing begins now, while the environment is looked at and the copy starts.
      const hashes = write.hashEarly && lists ? startHashing(hostDir, work) : undefined;
      archive = { work, tally, choice: write, hashes };
    }
    const skipped = archive?.work.scan.skipped ?? [];
    const env = await envDecision;
    log(`environment ${env.changed ? 'changed' : 'unchanged'}`);
    const plan = planSave({
      kind: opts.kind,
      baseMode: choice.mode,
      archivePath,
      archive: archive && { changed: archive.work.changed, remove: archive.work.remove, choice: archive.choice },
      env: { changed: env.changed, remove: env.ops.remove },
    });
    // In the order the result has always had (--json prints it).
    const result = (r: Pick<SnapshotResult, 'imageId' | 'tags' | 'created' | 'squashed' | 'env'>, method: ArchiveStats['method'] | undefined): SnapshotResult => ({
      kind: opts.kind,
      image: `${repo}:${tags[0]}`,
      imageId: r.imageId,
      tags: r.tags,
      created: r.created,
      base: choice.mode,
      why: choice.why,
      squashed: r.squashed,
      env: r.env,
      archive: archive && statsOf(archive.tally, method ?? archive.choice.method),
      skipped,
      seconds: (Date.now() - started) / 1000,
    });

    if (opts.check) {
      const pending = { env: env.changed, files: archive?.work.write.length ?? 0, removed: archive?.work.remove.length ?? 0, saved: choice.mode === 'previous' || choice.squashed };
      const envFigures = { changed: env.changed, copied: env.ops.copy.length, removed: env.ops.remove.length };
      return { ...result({ imageId: choice.base.id, tags: [], created: false, squashed: false, env: envFigures }, undefined), pending };
    }
    if (plan.action === 'none') {
      say('nothing changed since the previous save');
      return result({ imageId: choice.base.id, tags: [], created: false, squashed: false, env: { changed: false, copied: 0, removed: 0 } }, undefined);
    }

    const temp = tempId;
    const ctx: Omit<WriteContext, 'step'> = {
      engine,
      tempId: temp,
      hostDir,
      archivePath,
      archive,
      lists,
      base: choice.base,
      labels: { [S.kind]: opts.kind, ...env.labels, [S.sourceContainer]: container?.name ?? '' },
      createdBy: `transferctl ${opts.kind}`,
      copyEnvironment: async () => {
        aborted(opts.signal);
        if (!env.changed || !container) return;
        say(`copying ${env.ops.copy.length} environment change(s) from ${container.name}`);
        const stream = envArchive(engine, container.id, env.ops, env.current);
        await Promise.all([engine.containers.putArchive(temp, '/', stream.stream), stream.done]);
      },
      commit: (labels) => engine.containers.commitWithConfig(temp, { config: snapshotConfig(choice.base, spec, labels), comment: `transferctl ${opts.kind}`, pause: false }),
      config: (labels) => snapshotConfig(choice.base, spec, labels),
      reached,
      say,
    };
    const written = await writeLayer(ctx, plan);
    newId = written.imageId;
    await reached('committed');
    for (const tag of tags) await engine.images.tag(newId, repo, tag);
    log(`tagged ${newId.slice(7, 19)} as ${tags.join(', ')}`);
    done = true;
    if (written.manifest) rememberManifest(written.manifest);
    const tagged = tags.map((t) => `${repo}:${t}`);
    const envFigures = { changed: env.changed, copied: env.ops.copy.length, removed: env.ops.remove.length };
    return result({ imageId: newId, tags: tagged, created: true, squashed: choice.squashed, env: envFigures }, written.method === 'environment' ? undefined : written.method);
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
  }
}
