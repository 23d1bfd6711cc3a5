// Labels on everything transferctl creates (found again, adopted after a crash, told apart
// from the user's own containers and images) and the tool's version they carry. Every room
// may use these; a room's own labels (workspace, service, project, save) build on them.
import { existsSync, readFileSync } from 'node:fs';
import type { Labels } from './engine/types.js';

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
/** The version in the package's package.json: one folder up from src/labels.ts, two up from the bundle (dist/bundle/). */
export function toolVersion(): string {
  if (!cachedVersion) {
    const file = [new URL('../package.json', import.meta.url), new URL('../../package.json', import.meta.url)].find((u) => existsSync(u));
    if (!file) throw new Error(`package.json not found above ${import.meta.url}`);
    cachedVersion = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return cachedVersion;
}

export function baseLabels(role: Role): Labels {
  return { [L.managed]: 'true', [L.version]: toolVersion(), [L.role]: role };
}

export function isManaged(labels: Labels): boolean {
  return labels[L.managed] === 'true';
}
