// `restore [IMAGE] [DIR]`: a saved image's archive back into a host folder, on any machine
// that has only the image (pulled first when this engine lacks it, as `docker run` does).
// Extracted into a staging folder beside DIR and checked against the manifest first; DIR is
// touched only once everything matched.
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import type { Engine, ImageDetails, OnProgress } from '../../engine/index.js';
import { debug } from '../../log.js';
import { hostUser } from '../host-user.js';
import { pullImage } from '../push.js';
import { extractChecked, type ExtractResult } from './extract.js';
import { COPY_OUT_SCRIPT, copyOut, verifyFolder } from './extract-local.js';
import { MANIFEST_NAME, ownerGone, S } from './labels.js';
import { decodeManifest } from './manifest.js';
import { createTemporary, readContainerFile } from './temp-container.js';

const log = debug('restore');

export interface RestoreOptions {
  image: string;
  dir: string;
  /** Restore into a folder that is not empty (top-level entries named as in the archive are replaced whole). */
  force?: boolean;
  onStep?: (message: string) => void;
  /** Settles when the sweep of killed runs' leftovers is done (cli/context.ts); awaited before a temporary is made. */
  swept?: Promise<void>;
  /** The pull's progress, when the image is not on this engine yet. */
  onProgress?: OnProgress;
}

export interface RestoreResult extends ExtractResult {
  image: string;
  imageId: string;
  /** The image was not on this engine and was pulled first. */
  pulled: boolean;
  dir: string;
  archivePath: string;
  seconds: number;
}

const STAGING = '.transferctl-restore-';

function isEmptyDir(dir: string): boolean {
  return readdirSync(dir).length === 0;
}

/** Staging folders of restores that were killed (their process is gone). */
function removeStaleStaging(parent: string, name: string): void {
  const prefix = `.${name}${STAGING}`;
  for (const entry of existsSync(parent) ? readdirSync(parent) : []) {
    if (!entry.startsWith(prefix)) continue;
    const pid = entry.slice(prefix.length);
    // Only staging folders; a "-replaced" folder holds the user's own entries: never deleted here.
    if (/^\d+$/.test(pid) && ownerGone(pid, 0)) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

function checkTarget(dir: string, force?: boolean): 'absent' | 'empty' | 'non-empty' {
  if (!existsSync(dir)) return 'absent';
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir} exists and is not a folder`, { hint: 'choose another target folder' });
  if (isEmptyDir(dir)) return 'empty';
  if (!force) {
    throw new UserError(`${dir} is not empty`, {
      hint: 'restore into a new or empty folder, or pass --force to restore over it (top-level entries named as in the archive are replaced whole; others stay)',
    });
  }
  return 'non-empty';
}

function moveIntoPlace(staging: string, dir: string, state: 'absent' | 'empty' | 'non-empty'): void {
  if (state === 'absent') return renameSync(staging, dir);
  if (state === 'empty') {
    rmdirSync(dir);
    return renameSync(staging, dir);
  }
  // --force: same-named entries are moved aside first and deleted only once all are in place.
  const aside = `${staging}-replaced`;
  mkdirSync(aside);
  for (const entry of readdirSync(staging)) {
    if (existsSync(join(dir, entry)) || isSymlink(join(dir, entry))) renameSync(join(dir, entry), join(aside, entry));
    renameSync(join(staging, entry), join(dir, entry));
  }
  rmdirSync(staging);
  rmSync(aside, { recursive: true, force: true });
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The image, pulled first when this engine does not have it (a failed pull says why). */
async function imageHere(engine: Engine, opts: RestoreOptions): Promise<{ img: ImageDetails; pulled: boolean }> {
  const img = await engine.images.inspect(opts.image);
  if (img) return { img, pulled: false };
  opts.onStep?.(`${opts.image} is not on this engine: pulling it`);
  const pulled = await pullImage(engine, opts.image, { onProgress: opts.onProgress });
  const now = await engine.images.inspect(pulled.imageId);
  if (!now) throw new UserError(`the engine reported ${opts.image} pulled, but it is not there`);
  return { img: now, pulled: true };
}

export async function restore(engine: Engine, opts: RestoreOptions): Promise<RestoreResult> {
  const started = Date.now();
  const step = opts.onStep ?? (() => {});
  // The target is checked before anything is pulled: a wrong folder costs no download.
  const dir = resolve(opts.dir);
  const state = checkTarget(dir, opts.force);
  await opts.swept;
  const { img, pulled } = await imageHere(engine, opts);
  const archivePath = img.labels[S.archivePath];
  if (img.labels[S.kind] !== 'save' || !archivePath) {
    throw new UserError(`${opts.image} holds no saved workspace folder`, { hint: 'restore works on images made by `transferctl save` (not `commit`)' });
  }
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  removeStaleStaging(parent, basename(dir));
  const staging = join(parent, `.${basename(dir)}${STAGING}${process.pid}`);
  const { uid, gid } = hostUser();
  const me = { uid: process.getuid?.() ?? uid, gid: process.getgid?.() ?? gid };
  // A local engine copies straight into the staging folder (much faster than a tar stream).
  const local = engine.isLocal;
  let temp: string | undefined;
  try {
    mkdirSync(staging, { mode: 0o700 });
    temp = await createTemporary(engine, img.id, 'restore', local ? { run: { script: COPY_OUT_SCRIPT, args: [archivePath, `${uid}:${gid}`], target: staging } } : {});
    const raw = await readContainerFile(engine, temp, `${archivePath}/${MANIFEST_NAME}`);
    if (!raw) throw new UserError(`${opts.image} has no manifest in ${archivePath}`, { hint: 'save it again with this version of transferctl' });
    const manifest = decodeManifest(raw);
    step(`restoring ${manifest.files} files (${(manifest.bytes / 1e6).toFixed(1)} MB) from ${opts.image}:${archivePath}`);
    let counts: ExtractResult;
    if (local) {
      await copyOut(engine, temp);
      counts = await verifyFolder(staging, manifest, opts.image);
    } else {
      counts = await extractChecked(await engine.containers.getArchive(temp, archivePath), {
        staging,
        archiveName: basename(archivePath),
        manifest,
        image: opts.image,
        owner: me.uid === uid && me.gid === gid ? undefined : { uid, gid },
      });
    }
    chmodSync(staging, 0o755);
    if (me.uid !== uid || me.gid !== gid) chownSync(staging, uid, gid);
    moveIntoPlace(staging, dir, state);
    log(`restored into ${dir}`);
    return { image: opts.image, imageId: img.id, pulled, dir, archivePath, ...counts, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  } finally {
    if (temp) await engine.containers.remove(temp, { force: true }).catch(() => {});
  }
}
