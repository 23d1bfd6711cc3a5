// push / pull a saved image to and from its registry, with the user's Docker credentials.
import { UserError } from '../errors.js';
import { failureKind, type Engine, type OnProgress } from '../engine/index.js';
import { DOCKER_HUB, registryHost, splitRef } from '../image-ref.js';
import { resolveRegistryAuth, type AuthContext } from '../engine/registry-auth.js';

export interface TransferResult {
  refs: string[];
  registry: string;
  authenticated: boolean;
  digest?: string;
  seconds: number;
}

export interface RegistryOptions {
  onProgress?: OnProgress;
  auth?: AuthContext;
}

/** Turn the engine's registry failures into errors that say what to do. */
export function registryError(err: unknown, ref: string, action: 'push' | 'pull', authenticated: boolean): unknown {
  const host = registryHost(ref);
  const msg = (err as Error)?.message ?? String(err);
  const kind = failureKind(err);
  if (kind === 'unauthorized') {
    return new UserError(`the registry ${host} refused to let you ${action} ${ref}: ${authenticated ? 'wrong user name or password' : 'it needs credentials and your Docker config has none for it'}`, {
      hint: `log in with \`docker login ${host}\` (transferctl reads the same config.json and credential helpers)`,
      cause: err,
    });
  }
  if (action === 'pull' && kind === 'not-found') {
    return new UserError(`${ref} is not in the registry ${host}`, { hint: 'check the name and tag (push it first from the machine that saved it)', cause: err });
  }
  if (kind === 'registry-unreachable') {
    return new UserError(`the registry ${host} cannot be reached: ${msg.replace(/^.*failed: /, '')}`, {
      hint: 'check commit.repo and that the registry runs; a plain-HTTP registry other than 127.0.0.1 must be in the engine\'s insecure-registries',
      cause: err,
    });
  }
  return err;
}

export async function pushImage(engine: Engine, ref: string, opts: RegistryOptions = {}): Promise<TransferResult> {
  const started = Date.now();
  const img = await engine.images.inspect(ref);
  if (!img) throw new UserError(`image ${ref} is not on this engine`, { hint: 'save or commit first: transferctl save' });
  const [repo, tag] = splitRef(ref);
  if (registryHost(ref) === DOCKER_HUB && !repo.includes('/')) {
    throw new UserError(`${ref} names no registry to push to`, { hint: 'set commit.repo in transfer.json, e.g. "repo": "127.0.0.1:5000/team" or "nvcr.io/myteam"' });
  }
  // The tags of this image in this repository (a save has a timestamp and "latest").
  const refs = img.repoTags.filter((t) => t.startsWith(`${repo}:`));
  if (!refs.includes(ref)) refs.unshift(`${repo}:${tag}`);
  const auth = resolveRegistryAuth(ref, opts.auth);
  let digest: string | undefined;
  for (const r of refs) {
    try {
      // The engine wants an X-Registry-Auth header even for anonymous pushes: "{}".
      digest = (await engine.images.push(r, opts.onProgress, auth ?? {})) ?? digest;
    } catch (err) {
      throw registryError(err, r, 'push', !!auth);
    }
  }
  return { refs, registry: registryHost(ref), authenticated: !!auth, digest, seconds: (Date.now() - started) / 1000 };
}

export async function pullImage(engine: Engine, given: string, opts: RegistryOptions = {}): Promise<TransferResult & { imageId: string }> {
  const started = Date.now();
  const ref = given.includes('@') ? given : splitRef(given).join(':');
  const auth = resolveRegistryAuth(ref, opts.auth);
  try {
    await engine.images.pull(ref, opts.onProgress, auth);
  } catch (err) {
    throw registryError(err, ref, 'pull', !!auth);
  }
  const img = await engine.images.inspect(ref);
  if (!img) throw new UserError(`the engine reported ${ref} pulled, but it is not there`);
  return { refs: [ref], registry: registryHost(ref), authenticated: !!auth, imageId: img.id, digest: img.repoDigests[0], seconds: (Date.now() - started) / 1000 };
}
