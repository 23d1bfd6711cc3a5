// Where a workspace's folder comes from when the engine is not on this machine. An engine mounts
// a folder from its own host: on a remote engine this machine's path may be missing there, or
// (worse) exist with other files. `up` asks the engine before it creates the container: a marker
// file written here must be visible in a container there.
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { failureKind, type Engine } from '../engine/index.js';
import type { WorkspaceSpec } from '../config/types.js';
import { findFolderVolume, temporaryLabels } from './save/index.js';

const PROBE_MOUNT = '/dev/.transferctl-probe';

/** Whether containers of this engine see this machine's `dir` (a marker written here shows there). */
export async function engineSeesFolder(engine: Engine, dir: string, image: string): Promise<boolean> {
  const marker = `.transferctl-probe-${randomBytes(6).toString('hex')}`;
  writeFileSync(join(dir, marker), '');
  let id: string | undefined;
  try {
    id = await engine.containers.create({
      name: `tc-probe-tmp-${randomBytes(5).toString('hex')}`,
      image,
      entrypoint: ['/bin/sh', '-c', `test -e "${PROBE_MOUNT}/$1"`],
      cmd: ['transferctl-probe', marker],
      mounts: [{ type: 'bind', source: dir, target: PROBE_MOUNT, readOnly: true }],
      env: {},
      user: '0',
      workingDir: '/',
      network: 'none',
      labels: temporaryLabels('probe'),
    });
    await engine.containers.start(id);
    return (await engine.containers.wait(id)) === 0;
  } catch (err) {
    if (failureKind(err) === 'bind-source-missing') return false;
    throw err;
  } finally {
    rmSync(join(dir, marker), { force: true });
    if (id) await engine.containers.remove(id, { force: true }).catch(() => {});
  }
}

/**
 * The spec `up` creates the container from: on a local engine as it is; on a remote one with
 * the folder volume `up --from` made there, or the folder itself when that engine sees it —
 * else a clear error before anything is created.
 */
export async function placeFolder(engine: Engine, spec: WorkspaceSpec): Promise<WorkspaceSpec> {
  if (engine.isLocal || spec.volume.engineVolume) return spec;
  const volume = await findFolderVolume(engine, spec);
  if (volume) return { ...spec, volume: { ...spec.volume, engineVolume: volume } };
  if (await engineSeesFolder(engine, spec.volume.hostDir, spec.image.name)) return spec;
  throw new UserError(`the engine at ${engine.endpoint.url} cannot see ${spec.volume.hostDir}: it mounts folders from its own host, where this folder is missing or holds other files; nothing was created`, {
    hint: 'save here and continue there: `transferctl save`, then `transferctl transfer --workspace HOST` (or DOCKER_HOST=… transferctl up --from IMAGE), which keeps the folder in a volume on that engine',
  });
}
