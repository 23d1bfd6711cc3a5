// A workspace's own labels: what its container carries, and whether an object belongs to it.
import type { Labels } from '../engine/types.js';
import type { WorkspaceSpec } from '../config/types.js';
import { baseLabels, L } from '../labels.js';

export function workspaceLabels(spec: WorkspaceSpec): Labels {
  return {
    ...baseLabels('workspace'),
    [L.workspace]: spec.identity,
    [L.workspaceId]: spec.id,
    [L.hostDirectory]: spec.volume.hostDir,
    [L.mountPoint]: spec.volume.mountPoint,
    [L.jupyterMode]: spec.jupyter.mode,
    [L.jupyterPort]: String(spec.jupyter.port),
  };
}

/** Does this object belong to this workspace? */
export function ownedBy(labels: Labels, spec: WorkspaceSpec): boolean {
  return labels[L.managed] === 'true' && labels[L.workspace] === spec.identity;
}
