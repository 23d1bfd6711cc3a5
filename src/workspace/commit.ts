// `commit`: the workspace container (with what the user installed) becomes commit.repo/commit.name:TAG.
// The notebook keeps running: the container is only read (`docker diff` + copies), never paused.
import type { Engine } from '../engine/index.js';
import type { WorkspaceSpec } from '../config/types.js';
import { snapshot, type SnapshotOptions, type SnapshotResult } from './save/snapshot.js';

export type CommitOptions = Omit<SnapshotOptions, 'kind'>;

export function commit(engine: Engine, spec: WorkspaceSpec, opts: CommitOptions = {}): Promise<SnapshotResult> {
  return snapshot(engine, spec, { ...opts, kind: 'commit' });
}
