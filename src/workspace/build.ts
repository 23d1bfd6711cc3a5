// Build a workspace's image from whatever says how its environment is built
// (environment/source.ts decides which; environment/build-input.ts turns it into a build).
import type { Engine, OnProgress } from '../engine/index.js';
import type { WorkspaceSpec } from '../config/types.js';
import { buildInput } from './environment/build-input.js';
import { detectEnvironment } from './environment/source.js';
import { environmentImage, type EnvironmentImage } from './environment/cache.js';
import type { AuthContext } from '../engine/registry-auth.js';
import { watchBuild } from './environment/build-failure.js';
import { startScriptOf } from '../start-script.js';
import { gitInfo } from '../git-info.js';
import { labelImage } from '../label-image.js';
import { L, OCI } from '../labels.js';
import { workspaceLabels } from './labels.js';
import { checkFeatures, checkJupyter } from './environment/devcontainer/image-check.js';

export interface BuildRequest {
  offline?: boolean;
  noCache?: boolean;
  pull?: boolean;
  /** Push the environment image to the cache repository (image.cache-repo or commit.repo). */
  pushCache?: boolean;
  signal?: AbortSignal;
  onProgress?: OnProgress;
  /** One line for each cache decision (found, pulled, built because …). */
  onStep?: (message: string) => void;
  auth?: AuthContext;
}

export interface BuildResult {
  image: string;
  imageId: string;
  base?: string;
  dockerfile: string;
  /** The image's start script (start-script.ts), which wraps the notebook command. */
  startScript?: string;
  seconds: number;
  /** Where the environment came from: this engine, the cache repository, or a build. */
  cache: EnvironmentImage['cache'];
  /** The environment image's hash tag (<repo>:env-<hash12>), null when it could not be made. */
  hashTag: string | null;
  /** Why it was built rather than pulled. */
  why?: string;
  /** The reference --push-cache pushed. */
  pushed?: string;
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
  const watch = watchBuild(req.onProgress);
  const build = (tags: string[]) =>
    engine.images
      .build(
        input.context(),
        {
          tags,
          dockerfile: input.dockerfile,
          buildArgs: input.buildArgs,
          target: input.target,
          pull: req.pull ?? spec.image.pull,
          noCache: req.noCache,
          signal: req.signal,
        },
        watch.onProgress,
      )
      .catch((err: unknown) => {
        throw watch.explain(err);
      });
  const env = await environmentImage(engine, spec, input, build, req);
  if (source.kind === 'devcontainer') {
    // Before the tag: an image that cannot be a notebook workspace never gets the workspace's name.
    checkFeatures(source.config, (await engine.images.inspect(env.imageId))?.labels ?? {});
    await checkJupyter(engine, spec, source.config, env.imageId);
  }
  // Pulled or built, the workspace image is the environment plus transferctl's labels.
  const imageId = await labelImage(engine, env.imageId, spec.image.name, imageLabels(spec, input.label), req.signal);
  // A repo2docker `start` script (its label may come from a Dockerfile `init --dockerfile` wrote).
  const startScript = startScriptOf((await engine.images.inspect(imageId))?.labels);
  return {
    image: spec.image.name,
    imageId,
    base: input.base,
    dockerfile: input.label,
    startScript,
    seconds: (Date.now() - started) / 1000,
    cache: env.cache,
    hashTag: env.hashTag,
    why: env.why,
    pushed: env.pushed,
  };
}
