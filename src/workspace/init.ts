// `init`: transfer.json and a .dockerignore for a folder, and a Dockerfile only when asked
// (--dockerfile: a Dockerfile found in the folder would win over a postBuild added later).
// A devcontainer.json decides the environment when there is one: init says so and leaves the
// folder's place to its workspaceFolder.
// Says what it found and what each file will do. Never overwrites without --force; writes all
// or none.
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { DEFAULT_MOUNT_POINT } from '../config/load.js';
import { findDevcontainer } from '../config/devcontainer/parse.js';
import { STACKS_IMAGE } from './base-image.js';
import { readRepo2docker, type FoundFile, type Problem } from './environment/repo2docker/detect.js';
import { repo2dockerDockerfile } from './environment/repo2docker/dockerfile.js';

export interface InitResult {
  folder: string;
  written: string[];
  /** repo2docker's files found, each with what transferctl does with it. */
  found: FoundFile[];
  /** What the image will be built from. */
  buildsFrom: string;
  /** What would stop a build (runtime.txt asking for R, both binder/ and .binder/, …). */
  problems: Problem[];
}

export const STARTER_DOCKERIGNORE = [
  '# Not sent to the image build (your folder is mounted, not copied).',
  '.git',
  '.ipynb_checkpoints',
  '**/__pycache__',
  '*.pyc',
  '.venv',
  'node_modules',
  'data/',
  '*.tar',
  '*.tar.gz',
  '',
].join('\n');

/** transfer.json for a new workspace; with a devcontainer.json, no volume keys (they would
 *  override its workspaceFolder/workspaceMount). */
export function initialConfig(folder: string, opts: { devcontainer?: boolean } = {}): object {
  const slug = basename(folder).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'workspace';
  const schema = fileURLToPath(new URL('../../schema/transfer.schema.json', import.meta.url));
  return {
    $schema: schema,
    container: { name: `tc-${slug}` },
    image: { name: `tc-${slug}` },
    ...(opts.devcontainer ? {} : { volume: { 'mount-point': DEFAULT_MOUNT_POINT, 'host-directory': '.' } }),
    jupyter: { mode: 'lab' },
    commit: { name: `${slug}-workspace` },
  };
}

export function init(folderArg: string, opts: { force?: boolean; dockerfile?: boolean } = {}): InitResult {
  const folder = resolve(folderArg);
  if (!existsSync(folder)) throw new UserError(`folder ${folder} does not exist`, { hint: `mkdir -p ${folder}` });
  const plan = readRepo2docker(folder);
  const dcFile = findDevcontainer(folder);
  const dc = dcFile ? relative(folder, dcFile) : undefined;
  if (dc && opts.dockerfile) {
    throw new UserError(`${dc} decides the environment, so a generated Dockerfile would not be used; nothing was written`, {
      hint: `run init without --dockerfile, or point "build": { "dockerfile": … } in ${dc} at a Dockerfile of yours`,
    });
  }
  const files: [string, string][] = [
    ['transfer.json', JSON.stringify(initialConfig(folder, { devcontainer: !!dc }), null, 2) + '\n'],
    ['.dockerignore', STARTER_DOCKERIGNORE],
  ];
  // Where a Dockerfile counts: in the binder folder when there is one (repo2docker's rule).
  const dockerfileName = plan.dir ? `${plan.dir}/Dockerfile` : 'Dockerfile';
  if (opts.dockerfile) {
    if (plan.problems.length) throw new UserError(plan.problems[0].message, { hint: plan.problems[0].hint });
    const generated = repo2dockerDockerfile({ ...plan, dockerfile: undefined }, { defaultBase: STACKS_IMAGE, repoDir: DEFAULT_MOUNT_POINT });
    files.push([dockerfileName, generated.text]);
  }
  const existing = files.map(([n]) => n).filter((n) => existsSync(join(folder, n)));
  if (existing.length && !opts.force) {
    throw new UserError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''} in ${folder}; nothing was written`, {
      hint: 'pass --force to overwrite them',
    });
  }
  for (const [name, content] of files) writeFileSync(join(folder, name), content);
  if (dc) {
    // devcontainer.json comes before repo2docker's files: those are not read.
    const found: FoundFile[] = [
      { path: dc, used: true, action: 'the environment: its image or Dockerfile, env, mounts, ports, users and lifecycle commands' },
      ...plan.files.map((f) => ({ ...f, used: false, action: `ignored: ${dc} decides the environment` })),
    ];
    return { folder, written: files.map(([n]) => n), found, buildsFrom: `${dc} (the folder goes where its workspaceFolder says)`, problems: [] };
  }
  return { folder, written: files.map(([n]) => n), found: plan.files, buildsFrom: buildsFrom(plan, opts.dockerfile ? dockerfileName : undefined), problems: plan.problems };
}

function buildsFrom(plan: ReturnType<typeof readRepo2docker>, written: string | undefined): string {
  if (written) return `${written} (written now from the files listed; edit it freely: from now on it overrides them)`;
  if (plan.dockerfile) return `${plan.dockerfile} (your Dockerfile)`;
  if (plan.files.some((f) => f.used)) return `transferctl's Dockerfile generated at each build from repo2docker's files${plan.dir ? ` in ${plan.dir}/` : ''}`;
  return "transferctl's own Jupyter Dockerfile (no repo2docker files found)";
}
