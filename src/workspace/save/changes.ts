// What a save must write: the folder now against the previous save's manifest. Plain data.
// A file is unchanged when type, size, mode and mtime match (no read); when only the mtime
// differs it is hashed and copied only if its content changed.
import type { ManifestEntry } from './manifest.js';

export interface ArchiveChanges {
  /** Entries to write into the archive (dirs, symlinks, files), parents first. */
  write: ManifestEntry[];
  /** Files to hash first: copied only when the hash differs from `previous`. */
  verify: ManifestEntry[];
  /** Paths to delete from the archive (a deleted folder is one path). */
  remove: string[];
  /** Entries taken over from the previous manifest as they are. */
  unchanged: ManifestEntry[];
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function planArchiveChanges(previous: Map<string, ManifestEntry>, now: ManifestEntry[]): ArchiveChanges {
  const out: ArchiveChanges = { write: [], verify: [], remove: [], unchanged: [] };
  const seen = new Set<string>();
  for (const e of now) {
    seen.add(e.path);
    const old = previous.get(e.path);
    if (!old || old.type !== e.type) {
      if (old) out.remove.push(e.path);
      out.write.push(e);
      continue;
    }
    if (e.type === 'dir') {
      if (old.mode !== e.mode) out.write.push(e);
      else out.unchanged.push({ ...old, mtimeMs: e.mtimeMs });
    } else if (e.type === 'symlink') {
      if (old.target !== e.target) {
        out.remove.push(e.path);
        out.write.push(e);
      } else out.unchanged.push({ ...old, mtimeMs: e.mtimeMs });
    } else if (old.size !== e.size || old.mode !== e.mode) out.write.push(e);
    else if (old.mtimeMs !== e.mtimeMs) out.verify.push(e);
    else out.unchanged.push(old);
  }
  const gone = [...previous.keys()].filter((p) => !seen.has(p)).sort();
  const goneSet = new Set(gone);
  for (const p of gone) {
    // A deleted folder is removed once, with everything in it.
    let parent = parentOf(p);
    let covered = false;
    while (parent) {
      if (goneSet.has(parent)) {
        covered = true;
        break;
      }
      parent = parentOf(parent);
    }
    if (!covered) out.remove.push(p);
  }
  out.remove.sort();
  return out;
}
