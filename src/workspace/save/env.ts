// The environment part of a snapshot: what the user changed inside the container (packages
// installed, files edited outside the mounted folder), found with `docker diff` and copied
// into a clean temporary container — never the workspace container's own config (its token).
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { failureKind, type Engine, type FsChange } from '../../engine/index.js';
import { ENV_RECORD } from './labels.js';

/** Paths that are runtime noise or transferctl's own business, never environment. */
export const ENV_EXCLUDED = [
  '/tmp',
  '/var/tmp',
  '/run',
  '/var/run',
  '/proc',
  '/sys',
  '/dev',
  '/.transferctl',
  '/etc/passwd',
  '/etc/passwd-',
  '/etc/group',
  '/etc/group-',
  '/etc/shadow',
  '/etc/gshadow',
  '/etc/hostname',
  '/etc/hosts',
  '/etc/resolv.conf',
  '/usr/sbin/docker-init',
];
const NOISE = [
  /\/\.local\/share\/jupyter\/runtime(\/|$)/,
  /\/\.ipython\/profile_[^/]+\/(history\.sqlite|db|security|log|pid)(-journal)?(\/|$)/,
  /\/\.ipython\/profile_[^/]+\/startup\/README$/,
  /\/\.cache(\/|$)/,
];
/** Folders that Jupyter and IPython create in the home folder when they start: not environment
 * unless something that is (a `pip install --user`, a startup script) lies below them. */
const STARTUP_FOLDERS = /^(\/root|\/home\/[^/]+)\/(\.ipython(\/profile_[^/]+(\/startup)?)?|\.local(\/share(\/jupyter)?)?)$/;

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : root + '/');
}

export interface EnvSkip {
  mountPoint: string;
  archivePath: string;
  /** Every other mount target of the container (devcontainer.json's mounts, runArgs' -v): host data, never environment. */
  mounts?: string[];
}

export function filterEnvChanges(changes: FsChange[], skip: EnvSkip): FsChange[] {
  const roots = [...ENV_EXCLUDED, skip.mountPoint, skip.archivePath, ...(skip.mounts ?? [])];
  // A modified folder with changes below it only changed because of them (e.g. /home/jovyan
  // for the mount point): never copy it, or its whole tree (the mounted folder!) would come along.
  const parents = new Set<string>();
  for (const c of changes) for (let p = posix.dirname(c.path); p !== '/' && p !== '.' && !parents.has(p); p = posix.dirname(p)) parents.add(p);
  const kept = changes
    .filter((c) => !(c.kind === 'modified' && parents.has(c.path)))
    // A folder the engine made to hold a mount (/workspaces for /workspaces/proj): copied as
    // an added tree it would bring the mounted folder along. Anything else below it still counts.
    .filter((c) => !(c.kind === 'added' && roots.some((r) => r !== c.path && under(r, c.path))))
    .filter((c) => !roots.some((r) => under(c.path, r)) && !NOISE.some((n) => n.test(c.path)));
  const holdsKept = (dir: string) => kept.some((c) => c.path !== dir && under(c.path, dir) && !STARTUP_FOLDERS.test(c.path));
  return kept
    .filter((c) => !(c.kind === 'added' && STARTUP_FOLDERS.test(c.path) && !holdsKept(c.path)))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** `stat` of each changed path in the running container, as "mode|size|mtime|inode|path" lines. */
const STAT_SCRIPT = 'xargs -0 -r stat -c "%f|%s|%y|%i|%n" -- 2>/dev/null; exit 0';
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

/** What `docker diff` does not say: each changed file's mode, size, mtime and inode, read in the
 * running container with one exec, so that editing a file that had already changed before the
 * last save counts as a change. Folders are left out (their mtimes move whenever runtime noise
 * below them comes and goes). "" when the container is stopped or has no `stat`: then paths
 * and kinds alone decide (`save --env` records the environment regardless). */
export async function envStat(engine: Engine, containerId: string, changes: FsChange[]): Promise<string> {
  const paths = changes.filter((c) => c.kind !== 'deleted').map((c) => c.path);
  if (paths.length === 0) return '';
  try {
    const r = await engine.containers.exec(containerId, ['/bin/sh', '-c', STAT_SCRIPT], { user: '0', stdin: paths.join('\0') + '\0' });
    return r.stdout;
  } catch {
    return '';
  }
}

/** The stat lines of files only (plain data). */
export function fileStats(stat: string): string[] {
  return stat.split('\n').filter((line) => {
    const mode = parseInt(line.slice(0, line.indexOf('|')), 16);
    return Number.isFinite(mode) && (mode & S_IFMT) !== S_IFDIR;
  });
}

export function envFingerprint(changes: FsChange[], stat = ''): string {
  const h = createHash('sha256');
  for (const c of changes) h.update(`${c.kind[0]} ${c.path}\n`);
  for (const line of fileStats(stat)) h.update(`${line}\n`);
  return h.digest('hex').slice(0, 32);
}

export interface EnvOps {
  /** Paths to copy from the workspace container (added trees whole; modified files). */
  copy: string[];
  /** Modified paths that may be folders: copy only the folder's own entry. */
  shallow: Set<string>;
  /** Paths to delete in the new layer. */
  remove: string[];
}

function hasAncestorIn(path: string, set: Set<string>): boolean {
  let p = posix.dirname(path);
  while (p !== '/' && p !== '.') {
    if (set.has(p)) return true;
    p = posix.dirname(p);
  }
  return false;
}

/** Plain data: the copy/remove operations that turn the base's environment into the current one. */
export function planEnvOps(current: FsChange[], recorded: FsChange[]): EnvOps {
  const added = new Set(current.filter((c) => c.kind === 'added').map((c) => c.path));
  const all = new Set(current.map((c) => c.path));
  const parents = new Set<string>();
  for (const c of current) {
    let p = posix.dirname(c.path);
    while (p !== '/' && p !== '.' && !parents.has(p)) {
      parents.add(p);
      p = posix.dirname(p);
    }
  }
  const copy: string[] = [];
  const shallow = new Set<string>();
  for (const c of current) {
    if (c.kind === 'added' && !hasAncestorIn(c.path, added)) copy.push(c.path);
    if (c.kind === 'modified' && !parents.has(c.path) && !hasAncestorIn(c.path, added)) {
      copy.push(c.path);
      shallow.add(c.path);
    }
  }
  const removeSet = new Set<string>();
  for (const c of current) if (c.kind === 'deleted') removeSet.add(c.path);
  // Only what the previous record added and is gone now; a path the base image has is never deleted.
  for (const r of recorded) if (r.kind === 'added' && !all.has(r.path)) removeSet.add(r.path);
  const remove = [...removeSet].filter((p) => !hasAncestorIn(p, removeSet)).sort();
  return { copy: copy.sort(), shallow, remove };
}

function rewrite(name: string, parent: string): string {
  const clean = name.replace(/^\.?\//, '');
  return parent === '/' ? clean : `${parent.slice(1)}/${clean}`;
}

/** One tar (to extract at "/") of the given container paths, plus the env record. */
export function envArchive(engine: Engine, containerId: string, ops: EnvOps, record: FsChange[]): { stream: Readable; done: Promise<void> } {
  const pack = tar.pack();
  const out = new PassThrough();
  out.on('error', () => {});
  pack.pipe(out);
  const done = (async () => {
    for (const path of ops.copy) {
      const parent = posix.dirname(path);
      let source: Readable;
      try {
        source = await engine.containers.getArchive(containerId, path);
      } catch (err) {
        if (failureKind(err) === 'not-found') continue; // gone since `docker diff`
        throw err;
      }
      const extract = tar.extract();
      source.pipe(extract);
      let first = true;
      for await (const entry of extract) {
        const h = entry.header;
        const header = { ...h, name: rewrite(h.name, parent) };
        if (h.type === 'link' && h.linkname) header.linkname = rewrite(h.linkname, parent);
        const shallowDir = first && h.type === 'directory' && ops.shallow.has(path);
        first = false;
        await new Promise<void>((resolve, reject) => {
          const target = pack.entry(header, (err) => (err ? reject(err) : resolve()));
          entry.pipe(target);
        });
        if (shallowDir) {
          source.destroy();
          break;
        }
      }
    }
    pack.entry({ name: ENV_RECORD.slice(1), mode: 0o644, mtime: new Date() }, gzipSync(JSON.stringify(record)));
    pack.finalize();
  })();
  done.catch((err) => out.destroy(err as Error));
  return { stream: out, done };
}

export function decodeEnvRecord(buf: Buffer): FsChange[] {
  try {
    return JSON.parse(gunzipSync(buf).toString('utf8')) as FsChange[];
  } catch {
    return [];
  }
}
