// Find a workspace's container, and refuse to touch a container that is not its own.
import { UserError } from '../errors.js';
import type { ContainerDetails, Engine } from '../engine/index.js';
import type { WorkspaceSpec } from '../config/types.js';
import { L } from '../labels.js';
import { ownedBy } from './labels.js';

export type Found = { kind: 'none' } | { kind: 'ours'; container: ContainerDetails } | { kind: 'foreign'; container: ContainerDetails };

export async function findWorkspaceContainer(engine: Engine, spec: WorkspaceSpec): Promise<Found> {
  // The name may have changed in the config: the workspace is also looked up by its labels (at
  // the same time: one round trip). A container made from one of its images (a save's temporary
  // container) inherits the workspace label too: only the role tells the workspace's own apart.
  const byLabels = engine.containers.list({ labels: { [L.workspace]: spec.identity, [L.role]: 'workspace' } });
  byLabels.catch(() => {});
  const c = await engine.containers.inspect(spec.containerName);
  if (c && c.name === spec.containerName) return ownedBy(c.labels, spec) ? { kind: 'ours', container: c } : { kind: 'foreign', container: c };
  const list = await byLabels;
  const mine = list.find((s) => s.labels[L.managed] === 'true');
  if (mine) {
    const details = await engine.containers.inspect(mine.id);
    if (details) return { kind: 'ours', container: details };
  }
  return { kind: 'none' };
}

export function foreignContainerError(spec: WorkspaceSpec, c: ContainerDetails): UserError {
  const other = c.labels[L.workspace];
  const whose = other ? `transferctl workspace ${other}` : `something other than transferctl (image ${c.image})`;
  const where = spec.configPath ? `container.name in ${spec.configPath}` : 'a transfer.json with another container.name';
  return new UserError(`the container name "${spec.containerName}" is already taken by a container of ${whose}`, {
    hint: `choose ${where}, or remove that container yourself (docker rm -f ${spec.containerName}), or pass --force to replace it`,
  });
}

/** The container of this workspace, or a clear error. */
export async function requireWorkspaceContainer(engine: Engine, spec: WorkspaceSpec): Promise<ContainerDetails> {
  const found = await findWorkspaceContainer(engine, spec);
  if (found.kind === 'ours') return found.container;
  if (found.kind === 'foreign') throw foreignContainerError(spec, found.container);
  throw new UserError(`workspace ${spec.identity} has no container (expected "${spec.containerName}")`, {
    hint: 'start it with `transferctl up`',
  });
}
