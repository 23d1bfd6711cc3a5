// Build a workspace's image from whatever says how its environment is built
// (environment/source.ts decides which; environment/build-input.ts turns it into a build).
import type { Engine, OnProgress } from '../engine/index.js';
import type { WorkspaceSpec } from '../config/types.js';
import { buildInput } from './environment/build-input.js';
import { detectEnvironment } from './environment/source.js';
import { gitInfo } from '../git-info.js';
import { labelImage } from '../label-image.js';
import { L, OCI } from '../labels.js';
import { workspaceLabels } from './labels.js';
import { checkFeatures, checkJupyter } from './environment/devcontainer/image-check.js';

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

export async function buildWorkspaceImage(engine: Engine, spec: WorkspaceSpec, req: BuildRequest = {}): Promise<BuildResult> {
  const started = Date.now();
  const source = detectEnvironment(spec);
  const input = await buildInput(engine, spec, source, { offline: req.offline, onProgress: req.onProgress });
  const builtId = await engine.images.build(
    input.context(),
    {
      tags: [],
      dockerfile: input.dockerfile,
      buildArgs: input.buildArgs,
      target: input.target,
      pull: req.pull ?? spec.image.pull,
      noCache: req.noCache,
      signal: req.signal,
    },
    req.onProgress,
  );
  if (source.kind === 'devcontainer') {
    // Before the tag: an image that cannot be a notebook workspace never gets the workspace's name.
    checkFeatures(source.config, (await engine.images.inspect(builtId))?.labels ?? {});
    await checkJupyter(engine, spec, source.config, builtId);
  }
  const imageId = await labelImage(engine, builtId, spec.image.name, imageLabels(spec, input.label), req.signal);
  return { image: spec.image.name, imageId, base: input.base, dockerfile: input.label, seconds: (Date.now() - started) / 1000 };
}
