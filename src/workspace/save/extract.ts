// Extract an archive tar (from the engine) into a staging folder, checking every entry
// against the manifest: size and sha256 for files, targets for symlinks, nothing extra,
// nothing missing. Modes and mtimes come from the manifest; owner is the given user.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { copyFileSync, createWriteStream, chmodSync, lchownSync, lutimesSync, mkdirSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { UserError } from '../../errors.js';
import type { Manifest, ManifestEntry } from './manifest.js';
import { MANIFEST_NAME } from './labels.js';

export interface ExtractResult {
  files: number;
  bytes: number;
  dirs: number;
  symlinks: number;
}

function corrupt(image: string, what: string): UserError {
  return new UserError(`the archive in ${image} does not match its manifest: ${what}`, {
    hint: 'nothing was written to the target folder; pull the image again, or restore an earlier tag',
  });
}

function safeRelative(name: string, root: string): string | null {
  const clean = name.replace(/^\.?\//, '').replace(/\/+$/, '');
  if (clean === root) return '';
  if (!clean.startsWith(root + '/')) return null;
  const rel = clean.slice(root.length + 1);
  if (rel.split('/').some((p) => p === '..' || p === '')) return null;
  return rel;
}

async function writeChecked(entry: Readable, path: string, expected: ManifestEntry, image: string): Promise<number> {
  const hash = createHash('sha256');
  const out = createWriteStream(path, { mode: 0o600 });
  let n = 0;
  for await (const chunk of entry) {
    hash.update(chunk as Buffer);
    n += (chunk as Buffer).length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  const sha = hash.digest('hex');
  if (n !== expected.size || sha !== expected.sha256) throw corrupt(image, `${expected.path}: ${n} bytes, sha256 ${sha.slice(0, 12)}… (expected ${expected.size} bytes, ${expected.sha256?.slice(0, 12)}…)`);
  return n;
}

/** `archiveName`: the archive folder's name as the engine's tar calls it ("archive"). */
export async function extractChecked(
  stream: Readable,
  req: { staging: string; archiveName: string; manifest: Manifest; image: string; owner?: { uid: number; gid: number } },
): Promise<ExtractResult> {
  const wanted = new Map(req.manifest.entries.map((e) => [e.path, e]));
  const seen = new Set<string>();
  const result: ExtractResult = { files: 0, bytes: 0, dirs: 0, symlinks: 0 };
  const extract = tar.extract();
  stream.pipe(extract);
  for await (const entry of extract) {
    const h = entry.header;
    const rel = safeRelative(h.name, req.archiveName);
    if (rel === null) throw corrupt(req.image, `unexpected entry ${h.name}`);
    if (rel === '' || rel === MANIFEST_NAME) {
      entry.resume();
      continue;
    }
    const e = wanted.get(rel);
    if (!e) throw corrupt(req.image, `${rel} is not in the manifest`);
    const type = h.type === 'directory' ? 'dir' : h.type === 'symlink' ? 'symlink' : h.type === 'file' || h.type === 'link' ? 'file' : h.type;
    if (type !== e.type) throw corrupt(req.image, `${rel} is a ${h.type}, the manifest says ${e.type}`);
    const path = join(req.staging, rel);
    seen.add(rel);
    if (e.type === 'dir') {
      mkdirSync(path, { recursive: true, mode: 0o700 });
      result.dirs++;
      entry.resume();
    } else if (e.type === 'symlink') {
      if (h.linkname !== e.target) throw corrupt(req.image, `${rel} points to ${h.linkname}, the manifest says ${e.target}`);
      symlinkSync(e.target!, path);
      result.symlinks++;
      entry.resume();
    } else if (h.type === 'link') {
      // A hard link (the engine's tar keeps them): a copy of the file it names, already checked.
      const other = safeRelative(h.linkname ?? '', req.archiveName);
      const source = other ? wanted.get(other) : undefined;
      if (!other || !source || !seen.has(other) || source.sha256 !== e.sha256) throw corrupt(req.image, `${rel} is a hard link to ${h.linkname}, which does not match`);
      copyFileSync(join(req.staging, other), path);
      result.bytes += e.size;
      result.files++;
      entry.resume();
    } else {
      result.bytes += await writeChecked(entry as unknown as Readable, path, e, req.image);
      result.files++;
    }
  }
  const missing = req.manifest.entries.filter((e) => !seen.has(e.path));
  if (missing.length) throw corrupt(req.image, `${missing.length} entr${missing.length === 1 ? 'y is' : 'ies are'} missing (${missing.slice(0, 3).map((e) => e.path).join(', ')})`);
  applyAttributes(req.staging, req.manifest, req.owner);
  return result;
}

/** Modes, owner and times from the manifest; folders deepest first so their mtimes stick. */
export function applyAttributes(staging: string, manifest: Manifest, owner?: { uid: number; gid: number }): void {
  const ordered = [...manifest.entries].sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  for (const e of ordered) {
    const path = join(staging, e.path);
    if (owner) lchownSync(path, owner.uid, owner.gid);
    const t = e.mtimeMs / 1000;
    if (e.type === 'symlink') {
      lutimesSync(path, t, t);
      continue;
    }
    chmodSync(path, e.mode);
    utimesSync(path, t, t);
  }
}

export { corrupt as archiveMismatch };
