// A workspace folder kept in a named volume on the engine: what `up --from` makes on a remote
// engine whose host cannot see this machine's folder. The saved image's archive is copied into
// the volume there by a temporary container (nothing travels back through this machine).
import { UserError } from '../../errors.js';
import type { Engine } from '../../engine/index.js';
import type { WorkspaceSpec } from '../../config/types.js';
import { baseLabels, L } from '../../labels.js';
import { copyOut, COPY_OUT_SCRIPT } from './extract-local.js';
import { createTemporary } from './temp-container.js';

export function folderVolumeName(spec: WorkspaceSpec): string {
  return `${spec.containerName}-folder`;
}

/** The workspace's folder volume on this engine, when `up --from` made one. */
export async function findFolderVolume(engine: Engine, spec: WorkspaceSpec): Promise<string | null> {
  const name = folderVolumeName(spec);
  const ours = await engine.volumes.list({ labels: [`${L.workspaceId}=${spec.id}`] });
  return ours.some((v) => v.name === name && v.labels[L.workspace] === spec.identity) ? name : null;
}

export interface IntoVolumeRequest {
  imageId: string;
  archivePath: string;
  /** Owner of the copied files: the user the workspace runs as. */
  owner: { uid: number; gid: number };
  /** Replace a folder volume an earlier `up --from` made for this workspace. */
  force?: boolean;
}

export async function restoreIntoVolume(engine: Engine, spec: WorkspaceSpec, req: IntoVolumeRequest): Promise<string> {
  const name = folderVolumeName(spec);
  const existing = (await engine.volumes.list()).find((v) => v.name === name);
  if (existing) {
    const ours = existing.labels[L.workspace] === spec.identity;
    const other = !ours && existing.labels[L.managed] === 'true' ? existing.labels[L.hostDirectory] : undefined;
    if (!ours || !req.force) {
      const whose = ours ? ' (an earlier `up --from` into this folder)' : other ? ` (the folder of the workspace restored into ${other})` : '';
      throw new UserError(`volume ${name} already exists on the engine at ${engine.endpoint.url}${whose}; nothing was changed`, {
        hint: ours
          ? 'pass --force to replace it with the saved folder'
          : other
            ? `give this workspace another container name (container.name in its transfer.json), or remove that one there first (transferctl rm in ${other}, then docker volume rm ${name})`
            : `it is not transferctl's: remove it there (docker volume rm ${name}) or restore into another folder`,
      });
    }
    if (!(await engine.volumes.remove(name))) {
      throw new UserError(`volume ${name} is in use by a container`, { hint: `remove the workspace container first: transferctl rm` });
    }
  }
  await engine.volumes.create(name, {
    ...baseLabels('workspace'),
    [L.workspace]: spec.identity,
    [L.workspaceId]: spec.id,
    [L.hostDirectory]: spec.volume.hostDir,
  });
  let temp: string | undefined;
  try {
    temp = await createTemporary(engine, req.imageId, 'restore', {
      run: { script: COPY_OUT_SCRIPT, args: [req.archivePath, `${req.owner.uid}:${req.owner.gid}`], target: name, targetIsVolume: true },
    });
    await copyOut(engine, temp);
    return name;
  } catch (err) {
    if (temp) await engine.containers.remove(temp, { force: true }).catch(() => {});
    temp = undefined;
    await engine.volumes.remove(name);
    throw err;
  } finally {
    if (temp) await engine.containers.remove(temp, { force: true }).catch(() => {});
  }
}
