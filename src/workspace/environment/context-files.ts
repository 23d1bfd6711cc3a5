// The build-context files a Dockerfile's COPY/ADD sources name, each with a sha256 of its
// content: folders and globs expand, files .dockerignore leaves out do not count (the same
// filter that makes the context tar, context-tar.ts). Input to the environment hash.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { dockerignoreFilter } from '../../context-tar.js';
import type { HashedFile } from './input-hash.js';

/** Every file in the context that the build would send, as paths relative to it ('/'-separated). */
export function listContext(contextDir: string, alwaysInclude: string[] = []): string[] {
  const ignored = dockerignoreFilter(contextDir, alwaysInclude);
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(contextDir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const abs = join(contextDir, path);
      if (ignored(abs)) continue;
      const st = lstatSync(abs);
      if (st.isDirectory()) walk(path);
      else if (st.isFile() || st.isSymbolicLink()) out.push(path);
    }
  };
  walk('');
  return out;
}

/** A COPY source as Docker reads it: relative to the context root, no leading ./ or /. */
export function normalizeSource(source: string): string {
  let s = source.replace(/\\/g, '/').replace(/\/+/g, '/');
  while (s.startsWith('./') || s.startsWith('/')) s = s.startsWith('./') ? s.slice(2) : s.slice(1);
  s = s.replace(/\/\.?$/, '');
  return s === '.' ? '' : s;
}

/** Go's filepath.Match patterns as Docker uses them: * and ? stay within one path part. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/^\^/, '!');
        re += '[' + (body.startsWith('!') ? '^' + body.slice(1) : body).replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The context files (from listContext) that COPY/ADD sources name; '' or '.' names them all. */
export function selectSources(files: string[], sources: string[]): string[] {
  const chosen = new Set<string>();
  for (const raw of sources) {
    const source = normalizeSource(raw);
    if (source === '') return files;
    const glob = /[*?[]/.test(source) ? globToRegExp(source) : null;
    const depth = source.split('/').length;
    for (const f of files) {
      // A file matches itself; a folder (or a glob matching a folder) brings what is under it.
      const head = f.split('/').slice(0, depth).join('/');
      if (glob ? glob.test(head) : head === source) chosen.add(f);
    }
  }
  return files.filter((f) => chosen.has(f));
}

/** Hash what the build reads of each file: its content (a link: its target) and whether it is executable. */
export function hashFiles(contextDir: string, paths: string[]): HashedFile[] {
  return paths.map((path) => {
    const abs = join(contextDir, path);
    const st = lstatSync(abs);
    const content = st.isSymbolicLink() ? Buffer.from(`symlink:${readlinkSync(abs)}`) : readFileSync(abs);
    return { path, sha256: createHash('sha256').update(content).digest('hex'), executable: (st.mode & 0o111) !== 0 };
  });
}
