// Restore on a local engine: the temporary container copies the archive straight into the
// staging folder (mounted read-write) with `cp -a` and gives it to the user; then every entry
// is checked here against the manifest, exactly as the streamed extraction does.
import type { Engine } from '../../engine/index.js';
import { EngineError } from '../../errors.js';
import { hashFiles } from './pack.js';
import { applyAttributes, archiveMismatch, type ExtractResult } from './extract.js';
import { MANIFEST_NAME } from './labels.js';
import type { Manifest } from './manifest.js';
import { scanFolder } from './scan.js';
import { SOURCE_MOUNT } from './temp-container.js';

export const COPY_OUT_SCRIPT = `set -e; cp -a "$1"/. ${SOURCE_MOUNT}/; rm -f ${SOURCE_MOUNT}/${MANIFEST_NAME}; chown -R "$2" ${SOURCE_MOUNT}`;

export async function copyOut(engine: Engine, tempId: string): Promise<void> {
  await engine.containers.start(tempId);
  const code = await engine.containers.wait(tempId);
  if (code !== 0) {
    const logs = await engine.containers.logsText(tempId, 10);
    throw new EngineError(`copying the archive out failed (exit ${code}): ${logs.trim() || 'no output'}`, { hint: 'nothing was written to the target folder' });
  }
}

export async function verifyFolder(staging: string, manifest: Manifest, image: string): Promise<ExtractResult> {
  const found = new Map(scanFolder(staging).entries.map((e) => [e.path, e]));
  const hashes = await hashFiles(staging, manifest.entries.filter((e) => found.get(e.path)?.type === 'file'));
  const result: ExtractResult = { files: 0, bytes: 0, dirs: 0, symlinks: 0 };
  const missing: string[] = [];
  for (const e of manifest.entries) {
    const got = found.get(e.path);
    found.delete(e.path);
    if (!got) {
      missing.push(e.path);
      continue;
    }
    if (got.type !== e.type) throw archiveMismatch(image, `${e.path} is a ${got.type}, the manifest says ${e.type}`);
    if (e.type === 'symlink') {
      if (got.target !== e.target) throw archiveMismatch(image, `${e.path} points to ${got.target}, the manifest says ${e.target}`);
      result.symlinks++;
    } else if (e.type === 'dir') result.dirs++;
    else {
      const sha = hashes.get(e.path) ?? '';
      if (got.size !== e.size || sha !== e.sha256) throw archiveMismatch(image, `${e.path}: ${got.size} bytes, sha256 ${sha.slice(0, 12)}… (expected ${e.size} bytes, ${e.sha256?.slice(0, 12)}…)`);
      result.files++;
      result.bytes += e.size;
    }
  }
  if (missing.length) throw archiveMismatch(image, `${missing.length} entr${missing.length === 1 ? 'y is' : 'ies are'} missing (${missing.slice(0, 3).join(', ')})`);
  const extra = [...found.keys()];
  if (extra.length) throw archiveMismatch(image, `${extra[0]} is not in the manifest`);
  applyAttributes(staging, manifest);
  return result;
}
