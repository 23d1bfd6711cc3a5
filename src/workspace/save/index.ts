// The save room's one way in: `save` (the environment and the workspace folder, under
// /archive, in one image; each later save adds one layer with only what changed; see base.ts
// for the layer order), `commit` (the environment alone), `restore` (a save's folder back onto
// a host folder), and the name of a workspace's current snapshot.
import type { Engine } from '../../engine/index.js';
import type { WorkspaceSpec } from '../../config/types.js';
import { snapshot, type SnapshotOptions, type SnapshotResult } from './snapshot.js';

export type { SnapshotResult } from './snapshot.js';
export type { SaveStage } from './plan.js';
export { restore, type RestoreOptions, type RestoreResult } from './restore.js';
export { currentRef } from './target.js';

export type SaveOptions = Omit<SnapshotOptions, 'kind'>;
export type CommitOptions = Omit<SnapshotOptions, 'kind'>;

export function save(engine: Engine, spec: WorkspaceSpec, opts: SaveOptions = {}): Promise<SnapshotResult> {
  return snapshot(engine, spec, { ...opts, kind: 'save' });
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
  const r = await snapshot(engine, spec, { ...opts, kind: 'save', check: true });
  const p = r.pending!;
  const u = { neverSaved: !p.saved, env: p.env, paths: p.files + p.removed, why: r.why };
  return u.neverSaved || u.env || u.paths > 0 ? u : null;
}
