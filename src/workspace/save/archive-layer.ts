// The archive part of a save's layer: plan it against the base's manifest (what to write, keep
// and remove), make the new manifest, check that the folder did not change under a copy, and
// the labels that describe the archive. How the layer is written is plan.ts's and write/'s.
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import type { Engine } from '../../engine/index.js';
import { firstDifference } from './copy-plan.js';
import { planArchiveChanges } from './changes.js';
import { MANIFEST_NAME } from './labels.js';
import { byPath, decodeManifest, encodeManifest, makeManifest, type ManifestEntry } from './manifest.js';
import { hashFile, hashFiles } from './pack.js';
import { cachedManifest, manifestSha256, rememberManifest } from './manifest-cache.js';
import { S } from './labels.js';
import { debug } from '../../log.js';
import { entryAt, scanFolder, type ScanResult } from './scan.js';
import { readContainerFile } from './temp-container.js';
import type { ArchiveMethod } from './plan.js';

const log = debug('save');

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
  /** load: a partial `docker load` (write/load.ts); cp / tar: through the temporary container. */
  method: ArchiveMethod;
  /** sha256 of the manifest written into the archive (set once it is made). */
  manifestSha256?: string;
}

/** The figures a write completes (files, bytes and the manifest's sha256 once it is made). */
export type ArchiveTally = Omit<ArchiveStats, 'method'>;

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

/** Hash what is written, and make the new manifest (updates the stats' totals). */
export async function manifestFor(work: ArchiveWork, hostDir: string, stats: ArchiveTally): Promise<Buffer> {
  return manifestWith(work, await hashFiles(hostDir, work.write), stats);
}

/** The new manifest: what the base had and kept, and what is written with its hashes. */
export function manifestWith(work: ArchiveWork, hashes: Map<string, string>, stats: ArchiveTally): Buffer {
  const written = work.write.map((e) => (e.type === 'file' ? { ...e, sha256: hashes.get(e.path) } : e));
  return finishManifest(stats, makeManifest([...work.kept, ...written]));
}

function finishManifest(stats: ArchiveTally, m: ReturnType<typeof makeManifest>): Buffer {
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

export function archiveLabels(archivePath: string, stats: ArchiveTally): Record<string, string> {
  const labels: Record<string, string> = { [S.archivePath]: archivePath, [S.archiveLayers]: String(stats.layers), [S.files]: String(stats.files), [S.bytes]: String(stats.bytes) };
  if (stats.manifestSha256) labels[S.manifestSha256] = stats.manifestSha256;
  return labels;
}

/** The fast copy hashes alongside the copy: begin as soon as the plan is known. */
export function startHashing(hostDir: string, work: ArchiveWork): Promise<Map<string, string>> {
  const hashing = hashFiles(hostDir, work.write);
  hashing.catch(() => {});
  return hashing;
}
