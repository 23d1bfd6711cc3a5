// Build a workspace's image: the user's Dockerfile, or transferctl's own Jupyter one.
import { readFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { UserError } from '../errors.js';
import type { Engine, OnProgress } from '../engine/index.js';
import type { WorkspaceSpec } from '../config/types.js';
import { chooseBase, STACKS_IMAGE } from './base-image.js';
import { detectDependencies, DEPENDENCY_FILES, jupyterDockerfile } from './dockerfile.js';
import { folderContext, memoryTar, type MemoryFile } from '../context-tar.js';
import { gitInfo } from '../git-info.js';
import { labelImage } from '../label-image.js';
import { L, OCI } from '../labels.js';
import { workspaceLabels } from './labels.js';

export interface BuildRequest {
  offline?: boolean;
  noCache?: boolean;
  pull?: boolean;
  signal?: AbortSignal;
  onProgress?: OnProgress;
}

export interface BuildResult {
  image: string;
  imageId: string;
  base?: string;
  dockerfile: string;
  seconds: number;
}

export function imageLabels(spec: WorkspaceSpec, dockerfile: string): Record<string, string> {
  const git = gitInfo(spec.root);
  const labels: Record<string, string> = {
    ...workspaceLabels(spec),
    [L.dockerfile]: dockerfile,
    [OCI.created]: new Date().toISOString(),
    [OCI.title]: spec.image.name,
    [OCI.source]: git.remote ?? `file://${spec.root}`,
  };
  if (git.revision) labels[OCI.revision] = git.revision + (git.dirty ? '-dirty' : '');
  if (git.describe) labels[OCI.version] = git.describe;
  return labels;
}

function builtinContext(spec: WorkspaceSpec, base: string): Readable {
  const deps = detectDependencies(spec.root);
  const files: MemoryFile[] = [{ name: 'Dockerfile', content: jupyterDockerfile(deps, base) }];
  for (const key of Object.keys(deps) as (keyof typeof deps)[]) {
    if (deps[key]) files.push({ name: DEPENDENCY_FILES[key], content: readFileSync(join(spec.root, DEPENDENCY_FILES[key])) });
  }
  return memoryTar(files);
}

export async function buildWorkspaceImage(engine: Engine, spec: WorkspaceSpec, req: BuildRequest = {}): Promise<BuildResult> {
  const started = Date.now();
  const buildArgs = { ...spec.image.buildArgs };
  let context: Readable;
  let dockerfilePath: string;
  let base: string | undefined;
  let label: string;
  if (spec.image.dockerfile) {
    const rel = relative(spec.image.context, spec.image.dockerfile);
    if (rel.startsWith('..')) {
      throw new UserError(`the Dockerfile ${spec.image.dockerfile} is outside the build context ${spec.image.context}`, {
        hint: 'set image.context to a folder that contains the Dockerfile',
      });
    }
    dockerfilePath = rel.split(sep).join('/');
    if (spec.image.base) buildArgs.BASE_IMAGE = spec.image.base;
    else if (!buildArgs.BASE_IMAGE && /^\s*ARG\s+BASE_IMAGE\b/m.test(readFileSync(spec.image.dockerfile, 'utf8'))) {
      // A Dockerfile from `transferctl init`: the same base choice as the built-in one.
      base = (await chooseBase(engine, { offline: req.offline, onProgress: req.onProgress })).image;
      buildArgs.BASE_IMAGE = base;
    }
    context = folderContext(spec.image.context, [dockerfilePath]);
    label = `file:${basename(spec.image.dockerfile)}`;
  } else {
    const choice = await chooseBase(engine, { configured: spec.image.base, offline: req.offline, onProgress: req.onProgress });
    base = choice.image;
    buildArgs.BASE_IMAGE = base;
    dockerfilePath = 'Dockerfile';
    context = builtinContext(spec, base);
    label = choice.kind === 'stacks' ? `builtin:${STACKS_IMAGE}` : `builtin:${base}`;
  }
  const builtId = await engine.images.build(
    context,
    {
      tags: [],
      dockerfile: dockerfilePath,
      buildArgs,
      target: spec.image.target,
      pull: req.pull ?? spec.image.pull,
      noCache: req.noCache,
      signal: req.signal,
    },
    req.onProgress,
  );
  const imageId = await labelImage(engine, builtId, spec.image.name, imageLabels(spec, label), req.signal);
  return { image: spec.image.name, imageId, base, dockerfile: label, seconds: (Date.now() - started) / 1000 };
}
