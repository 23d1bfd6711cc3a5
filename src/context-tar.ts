// Build contexts as tar streams: a folder filtered by .dockerignore, files in memory, or both.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import dockerignore from '@balena/dockerignore';
import tarFs from 'tar-fs';
import tarStream from 'tar-stream';

export function dockerignoreFilter(contextDir: string, keep: string[] = []): (path: string) => boolean {
  const file = join(contextDir, '.dockerignore');
  if (!existsSync(file)) return () => false;
  const ig = (dockerignore as unknown as typeof dockerignore.default)({ ignorecase: false }).add(readFileSync(file, 'utf8'));
  const keepSet = new Set(keep);
  return (absPath: string) => {
    const rel = relative(contextDir, absPath).split(sep).join('/');
    if (!rel || keepSet.has(rel) || rel === '.dockerignore') return false;
    return ig.ignores(rel);
  };
}

/** The folder as a tar stream, honouring .dockerignore (the Dockerfile is always sent); files
 * made in memory (a generated Dockerfile) go first, under names the folder does not use. */
export function folderContext(contextDir: string, alwaysInclude: string[] = [], inMemory: MemoryFile[] = []): Readable {
  const pack = tarStream.pack();
  for (const f of inMemory) pack.entry({ name: f.name, mode: f.mode ?? 0o644, mtime: new Date(0), uid: 0, gid: 0 }, f.content);
  return tarFs.pack(contextDir, {
    pack,
    ignore: dockerignoreFilter(contextDir, alwaysInclude),
    map: (header) => {
      // Reproducible: owner and times do not depend on who builds.
      header.uid = 0;
      header.gid = 0;
      return header;
    },
  }) as unknown as Readable;
}

export interface MemoryFile {
  name: string;
  content: string | Buffer;
  mode?: number;
}

/** A tar of in-memory files (fixed mtime so identical content hits the layer cache). */
export function memoryTar(files: MemoryFile[]): Readable {
  const pack = tarStream.pack();
  for (const f of files) {
    pack.entry({ name: f.name, mode: f.mode ?? 0o644, mtime: new Date(0), uid: 0, gid: 0 }, f.content);
  }
  pack.finalize();
  return pack as unknown as Readable;
}
