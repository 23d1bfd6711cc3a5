// What the temporary container's script (temp-container.ts) is asked to do, as the files it
// reads: NUL-separated paths, so that any file name passes through unchanged.
import { mkdtempSync, chmodSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FolderAttrs {
  /** Folder-relative path. */
  path: string;
  mode: number;
  uid: number;
  gid: number;
}

export interface Lists {
  /** Absolute paths in the image to delete (the layer records whiteouts). */
  remove?: string[];
  /** Folder-relative paths to copy with `cp -a --parents` from the mounted folder. */
  copy?: string[];
  /** Existing folders whose mode changed: mode and owner set, mtime taken from the mounted folder. */
  attrs?: FolderAttrs[];
  /** Run as the copy agent (copy-agent.ts): the manifest comes later, on a line from stdin. */
  agent?: boolean;
}

const nul = (items: string[]) => Buffer.from(items.map((p) => p + '\0').join(''));

export function listFiles(lists: Lists): { name: string; content: Buffer }[] {
  const out: { name: string; content: Buffer }[] = [];
  if (lists.remove?.length) out.push({ name: 'delete.list', content: nul(lists.remove) });
  if (lists.copy?.length) out.push({ name: 'copy.list', content: nul(lists.copy) });
  if (lists.attrs?.length) {
    out.push({ name: 'attrs.list', content: nul(lists.attrs.flatMap((a) => [(a.mode & 0o7777).toString(8).padStart(4, '0'), String(a.uid), String(a.gid), a.path])) });
  }
  if (lists.agent) out.push({ name: 'agent', content: Buffer.alloc(0) });
  return out;
}

/** Into the host folder mounted at LISTS_MOUNT (written before the container starts), in place
 * of the lists of an earlier start. */
export function writeLists(dir: string, lists: Lists): void {
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { force: true });
  for (const f of listFiles(lists)) writeFileSync(join(dir, f.name), f.content, { mode: 0o644 });
}

const PREFIX = 'transferctl-lists-';

/** A host folder for the lists, readable by the container's root even under user-namespace
 * remapping (names of workspace files only). The caller removes it; its name carries this
 * process's pid, so that the janitor can remove it should this process be killed. */
export function makeListsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** The lists folders whose owner is gone (`isGone(pid, createdMs)`), removed; returns their names. */
export function sweepListsDirs(isGone: (pid: string, createdMs: number) => boolean, root = tmpdir()): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith(PREFIX));
  } catch {
    return out;
  }
  for (const name of names) {
    const pid = /^transferctl-lists-(\d+)-/.exec(name)?.[1];
    try {
      const path = join(root, name);
      if (!pid || !isGone(pid, statSync(path).mtimeMs)) continue;
      rmSync(path, { recursive: true, force: true });
      out.push(name);
    } catch {
      // gone meanwhile, or another user's
    }
  }
  return out;
}
