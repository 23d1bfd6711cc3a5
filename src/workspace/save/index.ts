// The save room's one way in: `save` (the environment and the workspace folder, under
// /archive, in one image; each later save adds one layer with only what changed; see base.ts
// for the layer order), `commit` (the environment alone), `restore` (a save's folder back onto
// a host folder), and the name of a workspace's current snapshot.
import type { Engine } from '../../engine/index.js';
import type { WorkspaceSpec } from '../../config/types.js';
import { UserError } from '../../errors.js';
import { snapshot, type SnapshotOptions, type SnapshotResult } from './snapshot.js';
import { findFolderVolume } from './folder-volume.js';

export type { SnapshotResult } from './snapshot.js';
export type { SaveStage } from './plan.js';
export { restore, type RestoreOptions, type RestoreResult } from './restore.js';
export { currentRef } from './target.js';
export { findFolderVolume, restoreIntoVolume, folderVolumeName } from './folder-volume.js';
export { temporaryLabels } from './temp-container.js';

export type SaveOptions = Omit<SnapshotOptions, 'kind'>;
export type CommitOptions = Omit<SnapshotOptions, 'kind'>;

export async function save(engine: Engine, spec: WorkspaceSpec, opts: SaveOptions = {}): Promise<SnapshotResult> {
  await refuseEngineFolder(engine, spec);
  return snapshot(engine, spec, { ...opts, kind: 'save' });
}

/** A save reads the folder here; a folder kept in a volume on a remote engine is not here. */
async function refuseEngineFolder(engine: Engine, spec: WorkspaceSpec): Promise<void> {
  if (engine.isLocal) return;
  const volume = await findFolderVolume(engine, spec);
  if (!volume) return;
  throw new UserError(`this workspace's folder is volume ${volume} on the engine at ${engine.endpoint.url}, not ${spec.volume.hostDir} here; save reads the folder from this machine, so nothing was saved`, {
    hint: `copy it here first (docker cp ${spec.containerName}:${spec.volume.mountPoint}/. ${spec.volume.hostDir}), then save with a local engine — or run transferctl on that host`,
  });
}

/** The workspace container (with what the user installed) becomes commit.repo/commit.name:TAG.
 * The notebook keeps running: the container is only read (`docker diff` + copies), never paused. */
export function commit(engine: Engine, spec: WorkspaceSpec, opts: CommitOptions = {}): Promise<SnapshotResult> {
  return snapshot(engine, spec, { ...opts, kind: 'commit' });
}

export interface Unsaved {
  /** Nothing was saved yet (no image under the workspace's save tag). */
  neverSaved: boolean;
  /** Packages or files installed in the container since the last save. */
  env: boolean;
  /** Paths of the folder written or removed since the last save. */
  paths: number;
  /** Why a save would start afresh (e.g. "first save", the image was rebuilt). */
  why: string;
}

/** What the folder and container hold that the saved image does not (the reading `save` does; nothing written); null: nothing. */
export async function unsavedChanges(engine: Engine, spec: WorkspaceSpec, opts: Pick<SaveOptions, 'signal' | 'swept' | 'onStep'> = {}): Promise<Unsaved | null> {
  await refuseEngineFolder(engine, spec);
  const r = await snapshot(engine, spec, { ...opts, kind: 'save', check: true });
  const p = r.pending!;
  const u = { neverSaved: !p.saved, env: p.env, paths: p.files + p.removed, why: r.why };
  return u.neverSaved || u.env || u.paths > 0 ? u : null;
}
