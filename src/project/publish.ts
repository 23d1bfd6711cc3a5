// `image publish NAME`: push a project image to the registry the host environment names
// (seed 004's publish-image): --registry, else TRANSFERCTL_REGISTRY or DOCKER_REGISTRY, else
// transfer.json's commit.repo. Credentials: TRANSFERCTL_REGISTRY_USERNAME/_PASSWORD, else
// the user's Docker config (credential helpers, then `auths`), as for `push`.
import { UserError } from '../errors.js';
import type { Engine, OnProgress, RegistryAuth } from '../engine/index.js';
import { registryHost, splitRef } from '../image-ref.js';
import { resolveRegistryAuth } from '../engine/registry-auth.js';
import { isManaged } from '../labels.js';
import { imageRef, type Project } from './discover.js';
import type { Profile } from './profile.js';
import { findProfile, profileTag } from './profiles.js';

export interface PublishOptions {
  registry?: string;
  /** transfer.json's commit.repo. */
  configured?: string;
  force?: boolean;
  env?: NodeJS.ProcessEnv;
  onProgress?: OnProgress;
}

export interface PublishResult {
  image: string;
  pushed: string;
  digest?: string;
}

export function chooseRegistry(opts: PublishOptions): string {
  const env = opts.env ?? process.env;
  const r = opts.registry ?? env.TRANSFERCTL_REGISTRY ?? env.DOCKER_REGISTRY ?? opts.configured;
  if (!r) {
    throw new UserError('no registry to publish to', {
      hint: 'pass --registry HOST[:PORT][/NAMESPACE], set TRANSFERCTL_REGISTRY, or set commit.repo in transfer.json',
      exitCode: 2,
    });
  }
  return r.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
}

/**
 * Credentials for pushing to `registry` (HOST[:PORT][/NAMESPACE]): TRANSFERCTL_REGISTRY_USERNAME
 * and _PASSWORD, else the user's Docker config as `docker push` reads it (credential helpers,
 * then `auths`), through the same resolver as `push`.
 */
export function registryAuth(registry: string, env: NodeJS.ProcessEnv = process.env): RegistryAuth | undefined {
  const repository = `${registry}/`;
  if (env.TRANSFERCTL_REGISTRY_USERNAME) {
    return { username: env.TRANSFERCTL_REGISTRY_USERNAME, password: env.TRANSFERCTL_REGISTRY_PASSWORD ?? '', serveraddress: registryHost(repository) };
  }
  return resolveRegistryAuth(repository, { env, home: env.HOME || undefined });
}

export async function publishImage(engine: Engine, project: Project, profiles: Profile[], name: string, opts: PublishOptions = {}): Promise<PublishResult> {
  const profile = findProfile(project, profiles, name);
  const local = imageRef(project, profile.image, profileTag(project, profiles, profile));
  if (!(await engine.images.inspect(local))) {
    throw new UserError(`image ${local} does not exist; nothing was pushed`, { hint: `build it first: transferctl image build ${profile.image}` });
  }
  const registry = chooseRegistry(opts);
  const target = `${registry}/${local}`;
  const existing = await engine.images.inspect(target);
  if (existing && !isManaged(existing.labels) && !opts.force) {
    throw new UserError(`the tag ${target} exists and was not made by transferctl; nothing was pushed`, { hint: 'pass --force to move it' });
  }
  const [repo, tag] = splitRef(target);
  await engine.images.tag(local, repo, tag);
  const digest = await engine.images.push(target, opts.onProgress, registryAuth(registry, opts.env) ?? {});
  return { image: local, pushed: target, digest };
}
