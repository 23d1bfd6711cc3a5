// The build context of a project image: the project root as .dockerignore lets it through,
// plus generated files (the version stamp) added to the tar in memory — never written into
// the user's tree. A file of the same name in the tree is left out: the generated one wins.
// An image's own `docker/<name>/Dockerfile.dockerignore` replaces the root .dockerignore for
// that image (as BuildKit does).
import { existsSync, readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import dockerignore from '@balena/dockerignore';
import type { Readable } from 'node:stream';
import tarFs from 'tar-fs';
import tarStream from 'tar-stream';
import { dockerignoreFilter, type MemoryFile } from '../context-tar.js';

/** The ignore rules of one image: its Dockerfile.dockerignore, else the root .dockerignore. */
export function ignoreFilter(root: string, dockerfile: string, keep: string[]): (abs: string) => boolean {
  const own = `${dockerfile}.dockerignore`;
  if (!existsSync(own)) return dockerignoreFilter(root, keep);
  const ig = (dockerignore as unknown as typeof dockerignore.default)({ ignorecase: false }).add(readFileSync(own, 'utf8'));
  return (abs: string) => {
    const rel = relative(root, abs).split(sep).join('/');
    return !!rel && !keep.includes(rel) && ig.ignores(rel);
  };
}

export function projectContext(root: string, opts: { keep: string[]; extra: MemoryFile[]; dockerfile?: string }): Readable {
  const pack = tarStream.pack();
  for (const f of opts.extra) {
    pack.entry({ name: f.name, mode: f.mode ?? 0o644, mtime: new Date(0), uid: 0, gid: 0 }, f.content);
  }
  const ignored = opts.dockerfile ? ignoreFilter(root, opts.dockerfile, opts.keep) : dockerignoreFilter(root, opts.keep);
  const generated = new Set(opts.extra.map((f) => f.name));
  return tarFs.pack(root, {
    pack,
    ignore: (abs: string) => generated.has(relative(root, abs).split(sep).join('/')) || ignored(abs),
    map: (header) => {
      header.uid = 0;
      header.gid = 0;
      return header;
    },
  }) as unknown as Readable;
}
