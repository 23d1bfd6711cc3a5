// Walk the workspace folder: what is there now (type, size, mode, mtime), without reading files.
import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import type { ManifestEntry } from './manifest.js';
import { MANIFEST_NAME } from './labels.js';

export interface ScanResult {
  entries: ManifestEntry[];
  /** Sockets, FIFOs and devices: not saved. */
  skipped: string[];
}

/** The entry for a path from its lstat; null for what is not saved (sockets, FIFOs, devices). */
function entryOf(root: string, path: string, st: Stats): ManifestEntry | null {
  const base = { path, mode: st.mode & 0o7777, mtimeMs: Math.round(st.mtimeMs) };
  if (st.isFile()) return { ...base, type: 'file', size: st.size };
  if (st.isDirectory()) return { ...base, type: 'dir', size: 0 };
  if (st.isSymbolicLink()) return { ...base, type: 'symlink', size: 0, target: readlinkSync(join(root, path)) };
  return null;
}

/** One path's entry as it is now (no folder walk); null when it is gone or not savable. */
export function entryAt(root: string, path: string): ManifestEntry | null {
  let st: Stats;
  try {
    st = lstatSync(join(root, path));
  } catch {
    return null;
  }
  return entryOf(root, path, st);
}

export function scanFolder(root: string): ScanResult {
  const entries: ManifestEntry[] = [];
  const skipped: string[] = [];
  const walk = (rel: string) => {
    const abs = rel ? join(root, rel) : root;
    let names: string[];
    try {
      names = readdirSync(abs);
    } catch (err) {
      throw new UserError(`cannot read folder ${abs}: ${(err as Error).message}`, { hint: 'check its permissions (save reads every file of the workspace folder)' });
    }
    names.sort();
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      if (path === MANIFEST_NAME) continue;
      const entry = entryOf(root, path, lstatSync(join(root, path)));
      if (!entry) skipped.push(path);
      else {
        entries.push(entry);
        if (entry.type === 'dir') walk(path);
      }
    }
  };
  walk('');
  return { entries, skipped };
}
