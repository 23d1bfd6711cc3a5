// The archive's manifest: every entry of the saved folder with size, mode, mtime and sha256.
// Stored gzip-compressed inside the archive (MANIFEST_NAME) and checked by `restore`.
import { gunzipSync, gzipSync } from 'node:zlib';

export type EntryType = 'file' | 'dir' | 'symlink';

export interface ManifestEntry {
  /** Relative POSIX path inside the folder ("a/b.ipynb"). */
  path: string;
  type: EntryType;
  size: number;
  /** Permission bits (0o7777). */
  mode: number;
  /** Modification time, whole milliseconds. */
  mtimeMs: number;
  sha256?: string;
  /** Symlink target. */
  target?: string;
}

export interface Manifest {
  version: 1;
  created: string;
  files: number;
  bytes: number;
  entries: ManifestEntry[];
}

export function makeManifest(entries: ManifestEntry[], now = new Date()): Manifest {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const files = sorted.filter((e) => e.type === 'file');
  return { version: 1, created: now.toISOString(), files: files.length, bytes: files.reduce((n, e) => n + e.size, 0), entries: sorted };
}

export function encodeManifest(m: Manifest): Buffer {
  return gzipSync(JSON.stringify(m));
}

export function decodeManifest(buf: Buffer): Manifest {
  const m = JSON.parse(gunzipSync(buf).toString('utf8')) as Manifest;
  if (m?.version !== 1 || !Array.isArray(m.entries)) throw new Error('not a transferctl archive manifest (version 1)');
  return m;
}

export function byPath(m: Manifest | null): Map<string, ManifestEntry> {
  return new Map((m?.entries ?? []).map((e) => [e.path, e]));
}
