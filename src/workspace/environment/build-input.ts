// An environment source → what the engine builds: a context tar, the Dockerfile's path in it,
// build arguments and the label that records where the image came from.
import { readFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { UserError } from '../../errors.js';
import type { Engine, OnProgress } from '../../engine/index.js';
import type { WorkspaceSpec } from '../../config/types.js';
import { chooseBase, STACKS_IMAGE } from '../base-image.js';
import { detectDependencies, DEPENDENCY_FILES, jupyterDockerfile } from '../dockerfile.js';
import { folderContext, memoryTar, type MemoryFile } from '../../context-tar.js';
import type { EnvironmentSource } from './source.js';
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
  /** The org.transferctl.dockerfile label: file:<name> or builtin:<base>. */
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
    case 'devcontainer':
      return devcontainerInput(engine, spec, source.config, opts);
    case 'builtin':
      return builtinInput(engine, spec, opts);
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

async function builtinInput(engine: Engine, spec: WorkspaceSpec, opts: InputOptions): Promise<BuildInput> {
  const choice = await chooseBase(engine, { configured: spec.image.base, offline: opts.offline, onProgress: opts.onProgress });
  const base = choice.image;
  const deps = detectDependencies(spec.root);
  const text = jupyterDockerfile(deps, base);
  const files: MemoryFile[] = [{ name: 'Dockerfile', content: text }];
  for (const key of Object.keys(deps) as (keyof typeof deps)[]) {
    if (deps[key]) files.push({ name: DEPENDENCY_FILES[key], content: readFileSync(join(spec.root, DEPENDENCY_FILES[key])) });
  }
  return {
    context: () => memoryTar(files),
    dockerfile: 'Dockerfile',
    dockerfileText: text,
    contextDir: null,
    memoryFiles: files,
    buildArgs: { ...spec.image.buildArgs, BASE_IMAGE: base },
    target: spec.image.target,
    base,
    label: choice.kind === 'stacks' ? `builtin:${STACKS_IMAGE}` : `builtin:${base}`,
  };
}
