// The archive part of a save's layer: plan it against the base's manifest, then write it —
// through the Engine API (a tar stream, any engine), or, for a local engine and many bytes,
// by `cp -a` inside the temporary container from the folder mounted read-only (the seed's
// own speed), hashing in parallel and checking afterwards that the folder did not change.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import type { Engine } from '../../engine/index.js';
import { planCopy, firstDifference } from './copy-plan.js';
import { planArchiveChanges } from './changes.js';
import { MANIFEST_NAME } from './labels.js';
import { byPath, decodeManifest, encodeManifest, makeManifest, type ManifestEntry } from './manifest.js';
import { hashFile, hashFiles, packArchive } from './pack.js';
import { cachedManifest, manifestSha256, rememberManifest } from './manifest-cache.js';
import { LAYER_TAR_MAX_FILE } from './layer-tar.js';
import { S } from './labels.js';
import { debug } from '../../log.js';

const log = debug('save');
import { entryAt, scanFolder, type ScanResult } from './scan.js';
import { readContainerFile, runInTemporary } from './temp-container.js';
import { startCopyAgent } from './copy-agent.js';
import { writeLists, type FolderAttrs } from './lists.js';

/** Below this many bytes to write, the tar stream is faster than starting the container. */
export const FAST_COPY_MIN_BYTES = 16 * 1024 * 1024;

export interface ArchiveWork {
  scan: ScanResult;
  previous: Map<string, ManifestEntry>;
  write: ManifestEntry[];
  kept: ManifestEntry[];
  remove: string[];
  rehashed: number;
  changed: boolean;
}

export interface ArchiveStats {
  path: string;
  files: number;
  bytes: number;
  written: number;
  writtenBytes: number;
  removed: number;
  layers: number;
  /** load: a partial `docker load` (layer-load.ts); cp / tar: through the temporary container. */
  method: 'load' | 'tar' | 'cp';
  /** sha256 of the manifest written into the archive (set once it is made). */
  manifestSha256?: string;
}

const byName = (a: ManifestEntry, b: ManifestEntry) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export interface PlanRequest {
  hostDir: string;
  /** The folder as read at the start of the save (read now when not given). */
  scan?: ScanResult;
  archivePath: string;
  baseHasArchive: boolean;
  /** The base image's manifest sha256 label, when it has one (manifest-cache.ts). */
  manifestSha256?: string;
}

export async function planArchive(engine: Engine, tempId: string, req: PlanRequest): Promise<ArchiveWork> {
  const scan = req.scan ?? scanFolder(req.hostDir);
  log(`scanned ${scan.entries.length} entries`);
  const raw = req.baseHasArchive ? await previousManifest(engine, tempId, req) : null;
  const previous = byPath(raw ? decodeManifest(raw) : null);
  log(`previous manifest: ${previous.size} entries`);
  const plan = planArchiveChanges(previous, scan.entries);
  const kept = [...plan.unchanged];
  for (const e of plan.verify) {
    const sha = await hashFile(join(req.hostDir, e.path));
    if (sha === previous.get(e.path)?.sha256) kept.push({ ...e, sha256: sha });
    else plan.write.push(e);
  }
  plan.write.sort(byName);
  const changed = plan.write.length > 0 || plan.remove.length > 0 || plan.verify.length > 0 || !raw;
  return { scan, previous, write: plan.write, kept, remove: plan.remove, rehashed: plan.verify.length, changed };
}

/** The base's manifest: this machine's copy when it matches the base's label, else the image's. */
async function previousManifest(engine: Engine, tempId: string, req: PlanRequest): Promise<Buffer | null> {
  const cached = cachedManifest(req.manifestSha256);
  if (cached) {
    log('previous manifest from the cache');
    return cached;
  }
  const raw = await readContainerFile(engine, tempId, `${req.archivePath}/${MANIFEST_NAME}`);
  if (raw && req.manifestSha256 && manifestSha256(raw) === req.manifestSha256) rememberManifest(raw);
  return raw;
}

/** TRANSFERCTL_SAVE_VIA=cp takes it for any size (the tests use it for a small folder). */
export function useFastCopy(engine: Engine, work: ArchiveWork, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!engine.isLocal || work.scan.skipped.length > 0) return false;
  return env.TRANSFERCTL_SAVE_VIA === 'cp' || work.write.reduce((n, e) => n + e.size, 0) >= FAST_COPY_MIN_BYTES;
}

/** Above this many bytes to write, a local engine takes the temporary container's `cp -a`:
 * `docker load` writes what it receives twice (its temporary folder, then the layer), which
 * measured slower here for a 500 MB first save (6.2–7.3 s against 4.3–5.6 s). */
export const LOAD_MAX_LOCAL_BYTES = 128 * 1024 * 1024;

/** The folder's layer goes in by a partial `docker load` (layer-load.ts): small changes on a
 * local engine, everything on a remote one. TRANSFERCTL_SAVE_VIA=load|container|cp forces a path. */
export function canLoadLayer(engine: Engine, work: ArchiveWork, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!work.changed || env.TRANSFERCTL_SAVE_VIA === 'container' || env.TRANSFERCTL_SAVE_VIA === 'cp') return false;
  if (!work.write.every((e) => e.size <= LAYER_TAR_MAX_FILE)) return false;
  if (env.TRANSFERCTL_SAVE_VIA === 'load') return true;
  const bytes = work.write.reduce((n, e) => n + e.size, 0);
  return !engine.isLocal || bytes < LOAD_MAX_LOCAL_BYTES;
}

/** Hash what is written, and make the new manifest (updates the stats' totals). */
export async function manifestFor(work: ArchiveWork, hostDir: string, stats: ArchiveStats): Promise<Buffer> {
  return manifestWith(work, await hashFiles(hostDir, work.write), stats);
}

/** The new manifest: what the base had and kept, and what is written with its hashes. */
function manifestWith(work: ArchiveWork, hashes: Map<string, string>, stats: ArchiveStats): Buffer {
  const written = work.write.map((e) => (e.type === 'file' ? { ...e, sha256: hashes.get(e.path) } : e));
  return finishManifest(stats, makeManifest([...work.kept, ...written]));
}

function finishManifest(stats: ArchiveStats, m: ReturnType<typeof makeManifest>): Buffer {
  const raw = encodeManifest(m);
  Object.assign(stats, { files: m.files, bytes: m.bytes, manifestSha256: manifestSha256(raw) });
  return raw;
}

function changedMeanwhile(hostDir: string, path: string): UserError {
  return new UserError(`${join(hostDir, path)} changed while it was being saved`, { hint: 'nothing was tagged; run save again once your files are written' });
}

/** After a copy of whole folders: the folder must still be as it was scanned. */
export function assertUnchanged(hostDir: string, work: ArchiveWork): void {
  const moved = firstDifference(work.scan.entries, scanFolder(hostDir).entries);
  if (moved !== null) throw changedMeanwhile(hostDir, moved);
}

/** After a layer built from the planned entries alone (layer-tar.ts): each of those must still be
 * as scanned, or its bytes may not be the ones hashed. What else changed meanwhile is simply not
 * in this save (the manifest says so) and goes into the next. */
export function assertWrittenUnchanged(hostDir: string, work: ArchiveWork): void {
  for (const e of work.write) {
    const now = entryAt(hostDir, e.path);
    if (!now || firstDifference([e], [now]) !== null) throw changedMeanwhile(hostDir, e.path);
  }
}

export function archiveLabels(archivePath: string, stats: ArchiveStats): Record<string, string> {
  const labels: Record<string, string> = { [S.archivePath]: archivePath, [S.archiveLayers]: String(stats.layers), [S.files]: String(stats.files), [S.bytes]: String(stats.bytes) };
  if (stats.manifestSha256) labels[S.manifestSha256] = stats.manifestSha256;
  return labels;
}

export interface WriteRequest {
  work: ArchiveWork;
  hostDir: string;
  archivePath: string;
  /** Absolute paths to delete first (environment and archive). */
  removals: string[];
  fast: boolean;
  /** The host folder the temporary container reads its lists from, when it has one. */
  lists?: string;
  /** Runs between the deletions/copies and the manifest (the environment's copy). */
  between: () => Promise<void>;
  stats: ArchiveStats;
  /** The fast copy's hashes of `work.write`, when begun earlier (startHashing). */
  hashes?: Promise<Map<string, string>>;
}

/** The fast copy hashes alongside the copy: begin as soon as the plan is known. */
export function startHashing(hostDir: string, work: ArchiveWork): Promise<Map<string, string>> {
  const hashing = hashFiles(hostDir, work.write);
  hashing.catch(() => {});
  return hashing;
}

/** Writes the layer's files through the temporary container; returns the manifest it wrote. */
export async function writeArchive(engine: Engine, tempId: string, req: WriteRequest): Promise<Buffer> {
  if (req.fast && req.lists) return copyInContainer(engine, tempId, { ...req, lists: req.lists });
  const { work, stats } = req;
  await runInTemporary(engine, tempId, req.removals, req.lists);
  await req.between();
  let manifest: Buffer | undefined;
  const pack = packArchive({
    root: req.hostDir,
    prefix: req.archivePath.slice(1),
    entries: work.write,
    manifestName: MANIFEST_NAME,
    finish: (hashes) => (manifest = manifestWith(work, hashes, stats)),
  });
  await Promise.all([engine.containers.putArchive(tempId, '/', pack.stream), pack.done]);
  return manifest!;
}

function folderAttrs(hostDir: string, e: ManifestEntry): FolderAttrs {
  const st = lstatSync(join(hostDir, e.path));
  return { path: e.path, mode: e.mode, uid: st.uid, gid: st.gid };
}

/** The fast copy: `cp -a` in the container from the mounted folder, while the
 * files are hashed here; the manifest follows on the container's stdin (copy-agent.ts). */
async function copyInContainer(engine: Engine, tempId: string, req: WriteRequest & { lists: string }): Promise<Buffer> {
  const { work, stats } = req;
  const copy = planCopy(work.write, work.previous);
  const attrs = copy.headersOnly.map((e) => folderAttrs(req.hostDir, e));
  writeLists(req.lists, { remove: req.removals, copy: copy.copy, attrs, agent: true });
  const hashing = req.hashes ?? startHashing(req.hostDir, work);
  const agent = await startCopyAgent(engine, tempId, req.lists);
  // The environment's copy goes in meanwhile: its paths never meet the ones deleted or copied here.
  await Promise.all([agent.copied.then(() => log(`copied ${copy.copy.length} path(s) in the container`)), req.between()]);
  const hashes = await hashing;
  log('hashed');
  const manifest = manifestWith(work, hashes, stats);
  const finished = agent.finish(manifest);
  finished.catch(() => {});
  // Checked while the container writes the manifest; nothing is committed before both are done.
  assertUnchanged(req.hostDir, work);
  log('folder unchanged');
  await finished;
  return manifest;
}
