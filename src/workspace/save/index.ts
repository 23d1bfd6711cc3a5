// `save`: the environment and the workspace folder (under /archive) in one image; each later
// save adds one layer with only what changed. See base.ts for the layer order.
import type { Engine } from '../../engine/index.js';
import type { WorkspaceSpec } from '../../config/types.js';
import { snapshot, type SnapshotOptions, type SnapshotResult } from './snapshot.js';

export type { SnapshotResult } from './snapshot.js';
export type SaveOptions = Omit<SnapshotOptions, 'kind'>;

export function save(engine: Engine, spec: WorkspaceSpec, opts: SaveOptions = {}): Promise<SnapshotResult> {
  return snapshot(engine, spec, { ...opts, kind: 'save' });
}
