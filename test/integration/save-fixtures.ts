// Shared by the save-* integration tests (not a test file itself): workspaces in temporary
// folders, a tree with every kind of entry, tree comparison and cleanup by name prefix.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Engine } from '../../src/engine/index.js';
import { tempDir } from '../helpers/tmp.js';
import { NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import tar from 'tar-stream';
import { createTemporary, readContainerFile } from '../../src/workspace/save/temp-container.js';

export interface TestWorkspace {
  dir: string;
  name: string;
  image: string;
  container: string;
  repo: string;
}

/** `dockerfile`: a small image instead of Jupyter (for tests that never start the workspace). */
export function makeWorkspace(t: TestContext, engine: Engine, opts: { repo?: string; dockerfile?: string } = {}): TestWorkspace {
  const name = `tc-save-${randomBytes(4).toString('hex')}`;
  const dir = tempDir(t, `${name}-`);
  const commit = { name: `${name}-img`, ...(opts.repo ? { repo: opts.repo } : {}) };
  if (opts.dockerfile) writeFileSync(join(dir, 'Dockerfile'), opts.dockerfile);
  const image = opts.dockerfile ? { name, dockerfile: 'Dockerfile' } : { name, base: NOTEBOOK6_IMAGE };
  const jupyter = opts.dockerfile ? { mode: 'none', command: ['sleep', 'infinity'] } : { mode: 'notebook' };
  const config = { image, jupyter, container: { name: `${name}-c` }, commit };
  writeFileSync(join(dir, 'transfer.json'), JSON.stringify(config, null, 2));
  const ws = { dir, name, image: name, container: `${name}-c`, repo: opts.repo ? `${opts.repo}/${name}-img` : `${name}-img` };
  t.after(() => cleanupWorkspace(engine, ws));
  return ws;
}

export async function cleanupWorkspace(engine: Engine, ws: { name: string; repo: string }): Promise<void> {
  for (const c of await engine.containers.list({ all: true })) {
    if (c.name.startsWith(ws.name)) await engine.containers.remove(c.id, { force: true }).catch(() => {});
  }
  for (const img of await engine.images.list()) {
    for (const tag of img.repoTags) if (tag.startsWith(`${ws.repo}:`) || tag.startsWith(`${ws.name}:`)) await engine.images.remove(tag, { force: true }).catch(() => {});
  }
  // Environment images under their hash tags (<name>-env, or <commit.repo>/<name>-env), after what builds on them.
  for (const img of await engine.images.list()) {
    for (const tag of img.repoTags) if (new RegExp(`(^|/)${ws.name}-env:env-`).test(tag)) await engine.images.remove(tag, { force: true }).catch(() => {});
  }
}

/** Nested and empty folders, symlinks (relative, absolute, dangling), executable bits, unicode names, large and tiny files. */
export function fillTree(dir: string, largeBytes = 6 * 1024 * 1024): void {
  mkdirSync(join(dir, 'notebooks/deep/deeper/deepest'), { recursive: true });
  mkdirSync(join(dir, 'empty/also-empty'), { recursive: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'notebooks/analysis.ipynb'), JSON.stringify({ cells: [], nbformat: 4 }));
  writeFileSync(join(dir, 'notebooks/deep/deeper/deepest/note.md'), '# deep\n');
  writeFileSync(join(dir, 'data/large.bin'), randomBytes(largeBytes));
  writeFileSync(join(dir, 'data/empty.txt'), '');
  writeFileSync(join(dir, 'data/one-byte'), 'x');
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'run.sh'), 0o755);
  writeFileSync(join(dir, 'private.key'), 'secret\n');
  chmodSync(join(dir, 'private.key'), 0o600);
  writeFileSync(join(dir, 'données – 数据 📊.csv'), 'a,b\n1,2\n');
  mkdirSync(join(dir, 'Ünïcödé folder'));
  writeFileSync(join(dir, 'Ünïcödé folder/naïve.txt'), 'ok\n');
  symlinkSync('notebooks/analysis.ipynb', join(dir, 'link-to-notebook'));
  symlinkSync('/etc/hostname', join(dir, 'absolute-link'));
  symlinkSync('does/not/exist', join(dir, 'dangling-link'));
  symlinkSync('deep', join(dir, 'notebooks/link-to-dir'));
  chmodSync(join(dir, 'empty/also-empty'), 0o700);
}

export type TreeEntry = { path: string; kind: string; mode: number; sha?: string; target?: string; size?: number };

export function treeOf(root: string, rel = ''): TreeEntry[] {
  const out: TreeEntry[] = [];
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(root, path));
    const mode = st.mode & 0o7777;
    if (st.isSymbolicLink()) out.push({ path, kind: 'symlink', mode: 0, target: readlinkSync(join(root, path)) });
    else if (st.isDirectory()) {
      out.push({ path, kind: 'dir', mode });
      out.push(...treeOf(root, path));
    } else out.push({ path, kind: 'file', mode, size: st.size, sha: createHash('sha256').update(readFileSync(join(root, path))).digest('hex') });
  }
  return out;
}

/** A file from an image, read through a created (never started) temporary container. */
export async function fileInImage(engine: Engine, image: string, path: string): Promise<string | null> {
  const id = await createTemporary(engine, image, 'test');
  try {
    return (await readContainerFile(engine, id, path))?.toString('utf8') ?? null;
  } finally {
    await engine.containers.remove(id, { force: true });
  }
}

/** Permission bits of a path in an image (the first entry of its tar from the engine). */
export async function modeInImage(engine: Engine, image: string, path: string): Promise<number> {
  const id = await createTemporary(engine, image, 'test');
  try {
    const extract = tar.extract();
    (await engine.containers.getArchive(id, path)).pipe(extract);
    for await (const entry of extract) {
      entry.resume();
      return (entry.header.mode ?? 0) & 0o7777;
    }
    throw new Error(`${path} is not in ${image}`);
  } finally {
    await engine.containers.remove(id, { force: true });
  }
}

export function parseJson<T>(stdout: string): T {
  return JSON.parse(stdout) as T;
}
