// What a save or commit writes and how, decided before anything is written. Plain data in,
// plain data out: unit-tested without an engine (test/unit/workspace/save/plan.test.ts).
//
// The folder's layer goes in one of three ways (write/): a partial `docker load` (load.ts),
// `cp -a` inside the temporary container from the folder mounted read-only (copy.ts), or a tar
// stream through the Engine API (tar.ts). A commit, which has no folder, only copies the
// environment's changes into the temporary container (environment.ts). When the engine
// cannot load a partial image, the plan's fallback is taken instead of the load.
import type { ManifestEntry } from './manifest.js';
import type { SnapshotKind } from './labels.js';
import { LAYER_TAR_MAX_FILE } from './layer-tar.js';

/** How the folder's files get into the new layer (reported as the save's `archive.method`). */
export type ArchiveMethod = 'load' | 'cp' | 'tar';
/** …and a commit's layer, which holds only the environment. */
export type MethodName = ArchiveMethod | 'environment';

/** The moments of a save the core reports to its `onStage` callback. */
export type SaveStage = 'created' | 'copied' | 'committed';

/** Below this many bytes to write, the tar stream is faster than starting the container. */
export const FAST_COPY_MIN_BYTES = 16 * 1024 * 1024;

/** Above this many bytes to write, a local engine takes the temporary container's `cp -a`:
 * `docker load` writes what it receives twice (its temporary folder, then the layer), which
 * measured slower here for a 500 MB first save (6.2–7.3 s against 4.3–5.6 s). */
export const LOAD_MAX_LOCAL_BYTES = 128 * 1024 * 1024;

export interface SaveFacts {
  /** The engine runs on this machine: it can mount the folder (and a folder with lists). */
  local: boolean;
  /** TRANSFERCTL_SAVE_VIA: load | container | cp forces a path (the tests use it). */
  via?: string;
}

/** What the archive plan (archive-layer.ts) found to write. */
export interface ArchiveSummary {
  changed: boolean;
  write: Pick<ManifestEntry, 'size'>[];
  /** Entries the scan could not save (sockets, devices…). */
  skipped: number;
}

export interface WriteChoice {
  method: ArchiveMethod;
  /** Taken when a load is refused (an engine that cannot load a partial image). */
  fallback?: Exclude<ArchiveMethod, 'load'>;
  /** Hash the files to write at once, while the environment is looked at (the fast copy). */
  hashEarly: boolean;
}

const bytesOf = (work: ArchiveSummary) => work.write.reduce((n, e) => n + e.size, 0);

/** `cp -a` from the mounted folder: a local engine and many bytes (or TRANSFERCTL_SAVE_VIA=cp). */
function fastCopy(work: ArchiveSummary, facts: SaveFacts): boolean {
  if (!facts.local || work.skipped > 0) return false;
  return facts.via === 'cp' || bytesOf(work) >= FAST_COPY_MIN_BYTES;
}

/** A partial `docker load`: small changes on a local engine, everything on a remote one. */
function loadable(work: ArchiveSummary, facts: SaveFacts): boolean {
  if (!work.changed || facts.via === 'container' || facts.via === 'cp') return false;
  if (!work.write.every((e) => e.size <= LAYER_TAR_MAX_FILE)) return false;
  if (facts.via === 'load') return true;
  return !facts.local || bytesOf(work) < LOAD_MAX_LOCAL_BYTES;
}

/** How the folder's layer is written; known as soon as the archive is planned. */
export function planWrite(work: ArchiveSummary, facts: SaveFacts): WriteChoice {
  const container = fastCopy(work, facts) ? 'cp' : 'tar';
  if (loadable(work, facts)) return { method: 'load', fallback: container, hashEarly: false };
  return { method: container, hashEarly: container === 'cp' };
}

/** One way of writing the new layer, with what the temporary container deletes first. */
export interface WriteStep {
  method: MethodName;
  /** Absolute paths deleted in the temporary container before anything is copied. */
  removals: string[];
  /** The environment's changes: copied into this layer ("with"), committed as a layer of their
   * own below the loaded one ("below"), or nothing to copy ("none"). */
  env: 'with' | 'below' | 'none';
}

export interface SaveInput {
  kind: SnapshotKind;
  /** The base is the previous save (a new layer on it) or fresh (the container's image). */
  baseMode: 'previous' | 'fresh';
  archivePath: string;
  /** The folder's part (a save): what changed, the archive paths to remove, how to write. */
  archive?: { changed: boolean; remove: string[]; choice: WriteChoice };
  /** The environment's part: changed since the base recorded it, and the paths to remove. */
  env: { changed: boolean; remove: string[] };
}

export type SavePlan =
  /** Nothing changed since the previous save: no new image. */
  | { action: 'none' }
  | { action: 'write'; write: WriteStep; fallback?: WriteStep };

export function planSave(input: SaveInput): SavePlan {
  const { archive, env } = input;
  if (!env.changed && !archive?.changed && input.baseMode === 'previous') return { action: 'none' };
  const envRemovals = env.changed ? env.remove : [];
  const archiveRemovals = (archive?.remove ?? []).map((p) => `${input.archivePath}/${p}`);
  const withEnv = env.changed ? 'with' : 'none';
  if (!archive) return { action: 'write', write: { method: 'environment', removals: envRemovals, env: withEnv } };
  const { choice } = archive;
  if (choice.method !== 'load') return { action: 'write', write: { method: choice.method, removals: [...envRemovals, ...archiveRemovals], env: withEnv } };
  // A loaded layer carries the archive's deletions as whiteouts; the environment's changes are
  // committed first from the temporary container, as a layer below it. Refused, the same
  // container (the environment already in it) takes the archive by the fallback and commits.
  return {
    action: 'write',
    write: { method: 'load', removals: envRemovals, env: env.changed ? 'below' : 'none' },
    fallback: { method: choice.fallback ?? 'tar', removals: archiveRemovals, env: 'none' },
  };
}
