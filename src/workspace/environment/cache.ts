// Prebuilt environments: the environment image is tagged <cache-repo>:env-<hash12> (hash of
// its inputs, hash-inputs.ts). A build looks for that tag on this engine, then pulls it from
// the cache repository, and builds only when neither has it; --push-cache pushes it.
// Without a registry, with --offline or --no-cache it builds and says why; --pull (image.pull)
// first pulls the bases, so the lookup is for the environment on the newest base.
import type { Engine, OnProgress } from '../../engine/index.js';
import { failureKind } from '../../engine/index.js';
import { resolveRegistryAuth, type AuthContext } from '../../engine/registry-auth.js';
import type { WorkspaceSpec } from '../../config/types.js';
import { UserError } from '../../errors.js';
import { DOCKER_HUB, registryHost, splitRef } from '../../image-ref.js';
import { debug } from '../../log.js';
import { registryError } from '../push.js';
import type { BuildInput } from './build-input.js';
import { environmentHash } from './hash-inputs.js';
import { dockerfileReads } from './dockerfile-sources.js';
import { hashTag } from './input-hash.js';

const log = debug('env-cache');

export interface CacheRequest {
  offline?: boolean;
  noCache?: boolean;
  pull?: boolean;
  pushCache?: boolean;
  signal?: AbortSignal;
  onProgress?: OnProgress;
  /** One line for each decision (found, pulling, building because …). */
  onStep?: (message: string) => void;
  auth?: AuthContext;
}

export interface EnvironmentImage {
  imageId: string;
  cache: 'local' | 'pulled' | 'built';
  /** <repo>:env-<hash12>, or null when the hash could not be made. */
  hashTag: string | null;
  /** Why it was not pulled (built), in a few words. */
  why?: string;
  /** The reference pushed (--push-cache). */
  pushed?: string;
}

/** Where environment images live: image.cache-repo, else <commit.repo>/<name>-env; registry: whether it is one. */
export function cacheRepo(spec: WorkspaceSpec): { repo: string; registry: boolean } {
  let [name] = splitRef(spec.image.name);
  if (registryHost(name) !== DOCKER_HUB) name = name.slice(name.indexOf('/') + 1);
  if (spec.image.cacheRepo) return { repo: spec.image.cacheRepo, registry: true };
  if (spec.commit?.repo) return { repo: `${spec.commit.repo.replace(/\/+$/, '')}/${name}-env`, registry: true };
  return { repo: `${name}-env`, registry: false };
}

/** Why not to look in the registry (null: look). */
function skipPullBecause(spec: WorkspaceSpec, registry: boolean, req: CacheRequest): string | null {
  if (!registry) return 'no registry configured (image.cache-repo or commit.repo)';
  if (req.offline) return '--offline';
  if (req.noCache) return '--no-cache';
  return null;
}

/**
 * image.pull / --pull: bring the bases up to date first, so the hash names the newest base and
 * the cache still counts. Null when done; else why not (the build then pulls and says the rest).
 */
async function refreshBases(engine: Engine, input: BuildInput, req: CacheRequest): Promise<string | null> {
  if (req.offline) return null;
  for (const ref of dockerfileReads(input.dockerfileText, input.buildArgs).images) {
    req.onStep?.(`pulling the base ${ref} (--pull)`);
    const r = await tryPull(engine, ref, req);
    if (!r.ok) return `--pull: the base ${ref}: ${r.why}`;
  }
  return null;
}

export type Builder = (tags: string[]) => Promise<string>;

/** The environment image: found, pulled or built (by `build`, given the tags to put on it). */
export async function environmentImage(engine: Engine, spec: WorkspaceSpec, input: BuildInput, build: Builder, req: CacheRequest = {}): Promise<EnvironmentImage> {
  const say = req.onStep ?? (() => {});
  const { repo, registry } = cacheRepo(spec);
  if (req.pushCache && !registry) {
    throw new UserError('--push-cache: no registry to push the environment to', { hint: 'set image.cache-repo (e.g. "127.0.0.1:5000/team/env") or commit.repo in transfer.json', exitCode: 2 });
  }
  let why: string | undefined;
  const pullBases = !req.noCache && (req.pull ?? spec.image.pull);
  if (pullBases) why = (await refreshBases(engine, input, req)) ?? undefined;
  const skipLookup = req.noCache || why !== undefined;
  const before = skipLookup ? null : await environmentHash(engine, input);
  let tag = before?.ok ? `${repo}:${hashTag(before.hash)}` : null;
  let result: EnvironmentImage | null = null;

  if (tag) {
    const local = await engine.images.inspect(tag);
    if (local) {
      say(`environment ${tag} is on this engine`);
      result = { imageId: local.id, cache: 'local', hashTag: tag };
    } else {
      why = skipPullBecause(spec, registry, req) ?? undefined;
      if (!why) {
        const pulled = await tryPull(engine, tag, req);
        if (pulled.ok) {
          say(`environment ${tag} pulled from ${registryHost(tag)}`);
          result = { imageId: pulled.id, cache: 'pulled', hashTag: tag };
        } else why = pulled.why;
      }
    }
  } else if (before && !before.ok) why = `the base ${before.missingBase} is not on this engine yet`;
  else if (req.noCache) why = '--no-cache';

  if (!result) {
    say(`building the environment: ${why}`);
    const id = await build(tag ? [tag] : []);
    if (!tag) {
      const after = await environmentHash(engine, input);
      if (after.ok) {
        tag = `${repo}:${hashTag(after.hash)}`;
        const [r, t] = splitRef(tag);
        await engine.images.tag(id, r, t);
      }
    }
    result = { imageId: id, cache: 'built', hashTag: tag, why };
  }
  if (req.pushCache && tag && result.cache !== 'pulled') result.pushed = await pushTag(engine, tag, req);
  log(`${result.cache} ${tag ?? '(no hash)'}${why ? `: ${why}` : ''}`);
  return result;
}

async function tryPull(engine: Engine, tag: string, req: CacheRequest): Promise<{ ok: true; id: string } | { ok: false; why: string }> {
  const auth = resolveRegistryAuth(tag, req.auth);
  try {
    await engine.images.pull(tag, req.onProgress, auth);
  } catch (err) {
    if (req.signal?.aborted) throw req.signal.reason;
    const kind = failureKind(err);
    const host = registryHost(tag);
    log(`pull ${tag}: ${(err as Error).message}`);
    if (kind === 'not-found') return { ok: false, why: `not in ${splitRef(tag)[0]} yet` };
    if (kind === 'unauthorized') return { ok: false, why: `${host} refused the pull (docker login ${host}?)` };
    if (kind === 'registry-unreachable' || kind === 'unreachable') return { ok: false, why: `the registry ${host} cannot be reached` };
    return { ok: false, why: `the pull failed: ${(err as Error).message}` };
  }
  const img = await engine.images.inspect(tag);
  if (!img) return { ok: false, why: `the engine reported ${tag} pulled, but it is not there` };
  return { ok: true, id: img.id };
}

async function pushTag(engine: Engine, tag: string, req: CacheRequest): Promise<string> {
  const auth = resolveRegistryAuth(tag, req.auth);
  req.onStep?.(`pushing ${tag}`);
  try {
    // The engine wants an X-Registry-Auth header even for anonymous pushes: "{}".
    await engine.images.push(tag, req.onProgress, auth ?? {});
  } catch (err) {
    throw registryError(err, tag, 'push', !!auth);
  }
  return tag;
}

/** `rm --image`: the environment tags of this workspace's cache repository on this engine (a cache: the registry keeps its copy). */
export async function removeEnvironmentTags(engine: Engine, spec: WorkspaceSpec): Promise<string[]> {
  const { repo } = cacheRepo(spec);
  const removed: string[] = [];
  for (const img of await engine.images.list({ reference: repo })) {
    for (const tag of img.repoTags) {
      if (!tag.startsWith(`${repo}:env-`)) continue;
      await engine.images.remove(tag);
      removed.push(tag);
    }
  }
  return removed;
}
