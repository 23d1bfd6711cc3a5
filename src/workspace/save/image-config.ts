// The config a snapshot image gets: the base image's own (never the workspace container's,
// which holds the token and transferctl's entrypoint), plus labels saying what it is.
import type { ImageConfigSpec, ImageDetails, Labels } from '../../engine/index.js';
import type { WorkspaceSpec } from '../../config/types.js';
import { L, OCI } from '../../labels.js';
import { workspaceLabels } from '../labels.js';
import { ownerTag, S } from './labels.js';

export function snapshotConfig(base: ImageDetails, spec: WorkspaceSpec, labels: Labels, now = new Date()): ImageConfigSpec {
  return {
    env: base.env,
    cmd: base.cmd,
    entrypoint: base.entrypoint,
    user: base.user,
    workingDir: base.workingDir,
    exposedPorts: base.exposedPorts,
    labels: {
      ...base.labels,
      ...workspaceLabels(spec),
      [L.role]: 'image',
      // The temporary container's own labels would otherwise be inherited.
      [L.temporary]: 'false',
      [L.ownerPid]: ownerTag(),
      [OCI.created]: now.toISOString(),
      [OCI.title]: labels[S.kind] === 'save' ? `${spec.image.name} with its workspace folder` : spec.image.name,
      ...labels,
    },
  };
}
