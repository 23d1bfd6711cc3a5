// An environment source → what the engine builds: a context tar, the Dockerfile's path in it,
// build arguments and the label that records where the image came from.
import { readFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { UserError } from '../../errors.js';
import type { Engine, OnProgress } from '../../engine/index.js';
import type { WorkspaceSpec } from '../../config/types.js';
import { chooseBase, STACKS_IMAGE } from '../base-image.js';
import { folderContext, memoryTar, type MemoryFile } from '../../context-tar.js';
import type { EnvironmentSource } from './source.js';
import type { Repo2dockerPlan } from './repo2docker/detect.js';
import { repo2dockerDockerfile } from './repo2docker/dockerfile.js';

/** The generated Dockerfile's name when it travels inside the folder's context. */
export const GENERATED_DOCKERFILE = '.transferctl.Dockerfile';
const EMPTY_PLAN: Repo2dockerPlan = { dir: '', pack: 'plain', files: [], problems: [] };
import type { Devcontainer } from '../../config/devcontainer/types.js';

export interface BuildInput {
  /** A fresh tar stream of the build context (call once per build). */
  context(): Readable;
  /** The Dockerfile's path inside the context, and its text. */
  dockerfile: string;
  dockerfileText: string;
  /** The folder the context comes from, when it is a folder (null: made in memory). */
  contextDir: string | null;
  /** Files made in memory (the generated Dockerfile and the files it copies). */
  memoryFiles: MemoryFile[];
  buildArgs: Record<string, string>;
  target?: string;
  /** The base image transferctl chose, when it chose one. */
  base?: string;
  /** The org.transferctl.dockerfile label: file:<name>, repo2docker:<folder> or builtin:<base>. */
  label: string;
}

export interface InputOptions {
  offline?: boolean;
  onProgress?: OnProgress;
}

export async function buildInput(engine: Engine, spec: WorkspaceSpec, source: EnvironmentSource, opts: InputOptions): Promise<BuildInput> {
  switch (source.kind) {
    case 'dockerfile':
      return dockerfileInput(engine, spec, source.dockerfile, source.context, opts);
    case 'repo2docker': {
      const { plan } = source;
      if (plan.problems.length) throw new UserError(plan.problems[0].message, { hint: plan.problems[0].hint });
      if (plan.dockerfile) return dockerfileInput(engine, spec, join(spec.root, plan.dockerfile), spec.root, opts);
      return generatedInput(engine, spec, plan, opts);
    }
    case 'devcontainer':
      return devcontainerInput(engine, spec, source.config, opts);
    case 'builtin':
      return generatedInput(engine, spec, EMPTY_PLAN, opts);
  }
}

/**
 * devcontainer.json: `build` is a Dockerfile build with its args and target (transfer.json's
 * build-args on top); `image` becomes a one-line Dockerfile, so the image gets transferctl's
 * labels and its own name like any workspace image.
 */
async function devcontainerInput(engine: Engine, spec: WorkspaceSpec, config: Devcontainer, opts: InputOptions): Promise<BuildInput> {
  const label = `devcontainer:${relative(spec.root, config.file)}`;
  if (config.build) {
    const input = await dockerfileInput(engine, spec, config.build.dockerfile, config.build.context, opts);
    return { ...input, buildArgs: { ...config.build.args, ...input.buildArgs }, target: spec.image.target ?? config.build.target, label };
  }
  const text = `FROM ${config.image}\n`;
  const files: MemoryFile[] = [{ name: 'Dockerfile', content: text }];
  return { context: () => memoryTar(files), dockerfile: 'Dockerfile', dockerfileText: text, contextDir: null, memoryFiles: files, buildArgs: {}, label };
}

async function dockerfileInput(engine: Engine, spec: WorkspaceSpec, dockerfile: string, contextDir: string, opts: InputOptions): Promise<BuildInput> {
  const rel = relative(contextDir, dockerfile);
  if (rel.startsWith('..')) {
    throw new UserError(`the Dockerfile ${dockerfile} is outside the build context ${contextDir}`, {
      hint: 'set image.context to a folder that contains the Dockerfile',
    });
  }
  const dockerfilePath = rel.split(sep).join('/');
  const text = readFileSync(dockerfile, 'utf8');
  const buildArgs = { ...spec.image.buildArgs };
  let base: string | undefined;
  if (spec.image.base) buildArgs.BASE_IMAGE = spec.image.base;
  else if (!buildArgs.BASE_IMAGE && /^\s*ARG\s+BASE_IMAGE\b/m.test(text)) {
    // A Dockerfile from `transferctl init`: the same base choice as the built-in one.
    base = (await chooseBase(engine, { offline: opts.offline, onProgress: opts.onProgress })).image;
    buildArgs.BASE_IMAGE = base;
  }
  return {
    context: () => folderContext(contextDir, [dockerfilePath]),
    dockerfile: dockerfilePath,
    dockerfileText: text,
    contextDir,
    memoryFiles: [],
    buildArgs,
    target: spec.image.target,
    base,
    label: `file:${basename(dockerfile)}`,
  };
}

/** transferctl's Dockerfile from repo2docker's files (none: a plain Jupyter image). */
async function generatedInput(engine: Engine, spec: WorkspaceSpec, plan: Repo2dockerPlan, opts: InputOptions): Promise<BuildInput> {
  const choice = await chooseBase(engine, { configured: spec.image.base, offline: opts.offline, onProgress: opts.onProgress });
  const base = choice.image;
  const generated = repo2dockerDockerfile(plan, { defaultBase: base, repoDir: spec.volume.mountPoint });
  const label = choice.kind === 'stacks' ? `builtin:${STACKS_IMAGE}` : `builtin:${base}`;
  const buildArgs: Record<string, string> = { ...spec.image.buildArgs, BASE_IMAGE: base };
  if (generated.needsFolder && !buildArgs.NB_USER) {
    // postBuild runs as the base image's own user when it has one (docker-stacks: jovyan).
    const user = notebookUser((await engine.images.inspect(base))?.user);
    if (user) buildArgs.NB_USER = user;
  }
  const common = {
    dockerfileText: generated.text,
    buildArgs,
    target: spec.image.target,
    base,
    label: plan.files.length ? `repo2docker:${plan.dir || '.'}` : label,
  };
  if (generated.needsFolder) {
    // The steps need the folder itself: the folder is the context, the Dockerfile rides along.
    const files: MemoryFile[] = [{ name: GENERATED_DOCKERFILE, content: generated.text }];
    return { ...common, context: () => folderContext(spec.root, generated.files, files), dockerfile: GENERATED_DOCKERFILE, contextDir: spec.root, memoryFiles: files };
  }
  const files: MemoryFile[] = [{ name: 'Dockerfile', content: generated.text }];
  for (const path of generated.files) files.push({ name: path, content: readFileSync(join(spec.root, path)) });
  return { ...common, context: () => memoryTar(files), dockerfile: 'Dockerfile', contextDir: null, memoryFiles: files };
}

/** The base image's user, when it is not root (USER 1000, USER jovyan:users → jovyan). */
export function notebookUser(imageUser: string | undefined): string | undefined {
  const name = (imageUser ?? '').split(':')[0].trim();
  return name && name !== 'root' && name !== '0' ? name : undefined;
}
