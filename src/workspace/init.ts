// `init`: transfer.json, a Dockerfile and a .dockerignore for a folder. Never overwrites
// without --force; writes all three or none.
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { DEFAULT_MOUNT_POINT } from '../config/load.js';
import { detectDependencies, jupyterDockerfile, STARTER_DOCKERIGNORE, type DependencyFiles } from './dockerfile.js';
import { STACKS_IMAGE } from './base-image.js';

export interface InitResult {
  folder: string;
  written: string[];
  detected: DependencyFiles;
}

export function initialConfig(folder: string): object {
  const slug = basename(folder).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'workspace';
  const schema = fileURLToPath(new URL('../../schema/transfer.schema.json', import.meta.url));
  return {
    $schema: schema,
    container: { name: `tc-${slug}` },
    image: { name: `tc-${slug}` },
    volume: { 'mount-point': DEFAULT_MOUNT_POINT, 'host-directory': '.' },
    jupyter: { mode: 'lab' },
    commit: { name: `${slug}-workspace` },
  };
}

export function init(folderArg: string, opts: { force?: boolean } = {}): InitResult {
  const folder = resolve(folderArg);
  if (!existsSync(folder)) throw new UserError(`folder ${folder} does not exist`, { hint: `mkdir -p ${folder}` });
  const detected = detectDependencies(folder);
  const files: [string, string][] = [
    ['transfer.json', JSON.stringify(initialConfig(folder), null, 2) + '\n'],
    ['Dockerfile', jupyterDockerfile(detected, STACKS_IMAGE)],
    ['.dockerignore', STARTER_DOCKERIGNORE],
  ];
  const existing = files.map(([n]) => n).filter((n) => existsSync(join(folder, n)));
  if (existing.length && !opts.force) {
    throw new UserError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''} in ${folder}; nothing was written`, {
      hint: 'pass --force to overwrite them',
    });
  }
  for (const [name, content] of files) writeFileSync(join(folder, name), content);
  return { folder, written: files.map(([n]) => n), detected };
}
