// For the fast copy (local engines): which paths `cp -a --parents` copies from the mounted
// folder. A new folder is copied whole (its entries are all new too); an existing folder whose
// mode changed is written as a bare tar entry instead. Plain data.
import type { ManifestEntry } from './manifest.js';

export interface CopyPlan {
  copy: string[];
  headersOnly: ManifestEntry[];
}

function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) out.push(path.slice(0, i));
  return out;
}

export function planCopy(write: ManifestEntry[], previous: Map<string, ManifestEntry>): CopyPlan {
  const newDirs = new Set(write.filter((e) => e.type === 'dir' && previous.get(e.path)?.type !== 'dir').map((e) => e.path));
  const plan: CopyPlan = { copy: [], headersOnly: [] };
  for (const e of write) {
    if (ancestors(e.path).some((a) => newDirs.has(a))) continue;
    if (e.type === 'dir' && !newDirs.has(e.path)) plan.headersOnly.push(e);
    else plan.copy.push(e.path);
  }
  return plan;
}

/** Did the folder change between two scans (paths, types, sizes, modes, mtimes)? Returns the first difference. */
export function firstDifference(before: ManifestEntry[], after: ManifestEntry[]): string | null {
  const a = new Map(before.map((e) => [e.path, e]));
  if (before.length !== after.length) {
    const extra = after.find((e) => !a.has(e.path));
    return extra ? extra.path : (before.find((e) => !after.some((x) => x.path === e.path))?.path ?? '?');
  }
  for (const e of after) {
    const o = a.get(e.path);
    if (!o) return e.path;
    if (o.type !== e.type || o.mode !== e.mode || o.target !== e.target) return e.path;
    if (e.type === 'file' && (o.size !== e.size || o.mtimeMs !== e.mtimeMs)) return e.path;
  }
  return null;
}
