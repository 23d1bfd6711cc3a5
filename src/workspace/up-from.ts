// `up --from IMAGE [DIR]`: someone else continues the work. The saved image's folder is
// restored into a new or empty DIR, then the workspace starts from that image (environment
// included) with DIR mounted where the saver had it.
import { existsSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Engine } from '../engine/index.js';
import type { WorkspaceSpec } from '../config/types.js';
import { CONFIG_NAMES, loadWorkspace } from '../config/load.js';
import { splitRef } from '../image-ref.js';
import { L } from '../labels.js';
import { restore, restoreIntoVolume, type RestoreResult } from './save/index.js';
import { engineSeesFolder } from './remote-folder.js';
import { hostUser } from './host-user.js';
import { up, type UpOptions, type UpResult } from './up.js';

export interface UpFromRequest {
  image: string;
  /** Target folder (default: ./<repository name> in cwd). */
  dir?: string;
  cwd?: string;
  /** Restore into a non-empty folder. */
  forceRestore?: boolean;
  up?: UpOptions;
  /** Settles when the sweep of killed runs' leftovers is done (restore awaits it). */
  swept?: Promise<void>;
}

export interface UpFromResult {
  restored: RestoreResult;
  up: UpResult;
  dir: string;
  /** The restored transfer.json, when the saved folder had one. */
  config: string | null;
  /** The volume on a remote engine that holds the folder (its host cannot see `dir`). */
  folderVolume?: string;
}

export function defaultFolder(image: string, cwd: string): string {
  const repo = splitRef(image)[0];
  return join(cwd, basename(repo) || 'workspace');
}

/** The workspace for DIR: its own config when the archive had one, else defaults; always the saved image. */
export function specFor(dir: string, image: string, labels: Record<string, string>): WorkspaceSpec {
  const config = CONFIG_NAMES.map((n) => join(dir, n)).find((f) => existsSync(f));
  const spec = loadWorkspace({ cwd: dir, config });
  const mode = labels[L.jupyterMode];
  const port = Number(labels[L.jupyterPort]);
  return {
    ...spec,
    image: { ...spec.image, name: image, dockerfile: null, dockerfileFrom: null },
    // A devcontainer.json in the folder places it (and says where Jupyter starts) like a config does.
    volume: { ...spec.volume, hostDir: dir, mountPoint: config || spec.devcontainer ? spec.volume.mountPoint : (labels[L.mountPoint] ?? spec.volume.mountPoint) },
    jupyter: config
      ? spec.jupyter
      : {
          ...spec.jupyter,
          mode: mode === 'lab' || mode === 'notebook' || mode === 'server' ? mode : spec.jupyter.mode,
          port: Number.isInteger(port) && port > 0 ? port : spec.jupyter.port,
        },
  };
}

export async function upFrom(engine: Engine, req: UpFromRequest): Promise<UpFromResult> {
  const cwd = req.cwd ?? process.cwd();
  const step = req.up?.onStep ?? (() => {});
  const dir = resolve(cwd, req.dir ?? defaultFolder(req.image, cwd));
  // restore pulls the image when this engine lacks it (with the same progress as up's pulls).
  const existed = existsSync(dir);
  const restored = await restore(engine, { image: req.image, dir, force: req.forceRestore, onStep: step, onProgress: req.up?.onProgress, swept: req.swept });
  const img = await engine.images.inspect(restored.imageId);
  let spec = specFor(dir, req.image, img?.labels ?? {});
  // A remote engine whose host cannot see `dir` gets the folder in a volume there, copied
  // from the saved image by that engine (dir here keeps the restored copy).
  let folderVolume: string | undefined;
  if (!engine.isLocal && !(await engineSeesFolder(engine, dir, restored.imageId))) {
    step(`copying the folder into a volume on ${engine.endpoint.url} (its host cannot see ${dir})`);
    try {
      folderVolume = await restoreIntoVolume(engine, spec, { imageId: restored.imageId, archivePath: restored.archivePath, owner: hostUser(), force: req.forceRestore });
    } catch (err) {
      // Nothing half-done: the folder this run restored here goes too (one it replaced stays).
      if (!existed) rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    spec = { ...spec, volume: { ...spec.volume, engineVolume: folderVolume } };
  }
  try {
    const result = await up(engine, spec, req.up ?? {});
    return { restored, up: result, dir, config: spec.configPath, folderVolume };
  } catch (err) {
    // Nothing half-done: the volume this run made goes with the container up did not start.
    if (folderVolume) await engine.volumes.remove(folderVolume).catch(() => false);
    throw err;
  }
}
