// A project: the folder that holds docker/<name>/Dockerfile folders (seed 004). Found from
// the current folder or any folder above it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';

export interface ImageFolder {
  name: string;
  dir: string;
  dockerfile: string;
}

export interface Project {
  root: string;
  /** The root folder's name, as used in image names ({project-name}). */
  name: string;
  /** Default tag: the host user's name ({user}). */
  user: string;
  home: string;
  dockerDir: string;
  images: ImageFolder[];
  runCfg: string | null;
}

export const DOCKER_DIR = 'docker';
export const RUN_CFG = 'run.cfg';

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Lowercase, and only what a repository name may hold. */
export function repoSlug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-._]+|[-._]+$/g, '') || 'project';
}

export function hostUserName(env: NodeJS.ProcessEnv = process.env): string {
  let name = env.TRANSFERCTL_USER || env.USER || env.LOGNAME;
  if (!name) {
    try {
      name = userInfo().username;
    } catch {
      name = 'user';
    }
  }
  return name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[.-]+/, '') || 'user';
}

export function findProjectRoot(cwd: string): string | null {
  let dir = resolve(cwd);
  for (;;) {
    if (isDir(join(dir, DOCKER_DIR)) && listImageFolders(join(dir, DOCKER_DIR)).length > 0) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

export function listImageFolders(dockerDir: string): ImageFolder[] {
  let names: string[];
  try {
    names = readdirSync(dockerDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => !n.startsWith('.') && existsSync(join(dockerDir, n, 'Dockerfile')))
    .sort()
    .map((n) => ({ name: n, dir: join(dockerDir, n), dockerfile: join(dockerDir, n, 'Dockerfile') }));
}

export function loadProject(opts: { cwd?: string; root?: string; env?: NodeJS.ProcessEnv } = {}): Project {
  const cwd = opts.cwd ?? process.cwd();
  const root = opts.root ? resolve(cwd, opts.root) : findProjectRoot(cwd);
  if (!root) {
    throw new UserError(`no project here: neither ${resolve(cwd)} nor a folder above it has docker/<name>/Dockerfile`, {
      hint: 'make one folder per image, e.g. docker/dev/Dockerfile (see README "Projects with many images")',
    });
  }
  const dockerDir = join(root, DOCKER_DIR);
  const images = listImageFolders(dockerDir);
  if (images.length === 0) {
    throw new UserError(`${dockerDir} has no <name>/Dockerfile folders`, { hint: 'make one folder per image, e.g. docker/dev/Dockerfile' });
  }
  const env = opts.env ?? process.env;
  const runCfg = join(dockerDir, RUN_CFG);
  return {
    root,
    name: repoSlug(basename(root)),
    user: hostUserName(env),
    home: env.HOME ?? userInfo().homedir,
    dockerDir,
    images,
    runCfg: existsSync(runCfg) ? runCfg : null,
  };
}

/** `<project>-<folder>:<tag>` (seed 004's naming). */
export function imageRef(project: Project, folder: string, tag?: string): string {
  return `${repoSlug(`${project.name}-${folder}`)}:${tag ?? project.user}`;
}
