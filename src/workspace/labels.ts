// Labels on everything transferctl creates: found again, adopted after a crash, and
// told apart from the user's own containers and images.
import { readFileSync } from 'node:fs';
import type { Labels } from '../engine/types.js';
import type { WorkspaceSpec } from '../config/types.js';

export const L = {
  managed: 'org.transferctl.managed',
  version: 'org.transferctl.version',
  role: 'org.transferctl.role',
  workspace: 'org.transferctl.workspace',
  workspaceId: 'org.transferctl.workspace.id',
  hostDirectory: 'org.transferctl.host-directory',
  mountPoint: 'org.transferctl.mount-point',
  jupyterMode: 'org.transferctl.jupyter.mode',
  jupyterPort: 'org.transferctl.jupyter.port',
  configHash: 'org.transferctl.config-hash',
  dockerfile: 'org.transferctl.dockerfile',
  /** A temporary object a run made; removed by the next run if that run died. */
  temporary: 'org.transferctl.temporary',
  ownerPid: 'org.transferctl.owner-pid',
} as const;

export const OCI = {
  created: 'org.opencontainers.image.created',
  revision: 'org.opencontainers.image.revision',
  source: 'org.opencontainers.image.source',
  title: 'org.opencontainers.image.title',
  version: 'org.opencontainers.image.version',
  description: 'org.opencontainers.image.description',
} as const;

export type Role = 'workspace' | 'base' | 'image' | 'service' | 'pool' | 'temporary' | 'project';

let cachedVersion: string | undefined;
export function toolVersion(): string {
  if (!cachedVersion) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    cachedVersion = pkg.version;
  }
  return cachedVersion;
}

export function baseLabels(role: Role): Labels {
  return { [L.managed]: 'true', [L.version]: toolVersion(), [L.role]: role };
}

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

export function isManaged(labels: Labels): boolean {
  return labels[L.managed] === 'true';
}
