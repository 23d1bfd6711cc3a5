// Which Jupyter base image the built-in Dockerfile builds on.
import { EngineError, UserError } from '../errors.js';
import type { Engine, OnProgress } from '../engine/index.js';
import { debug } from '../log.js';

const log = debug('base');

/** The pinned Jupyter docker-stacks image (JupyterLab 4) for users with a registry. */
export const STACKS_IMAGE = 'quay.io/jupyter/base-notebook:2026-05-31';
export const localDebian = (suite: string) => `transferctl/debian:${suite}`;
export const localJupyter = (suite: string) => `transferctl/jupyter:${suite}`;
export const DEFAULT_SUITE = 'trixie';

export interface BaseChoice {
  image: string;
  kind: 'configured' | 'stacks' | 'offline';
}

/** Whether a registry's API answers at all (200 or 401 both count), https first, then http. */
export async function registryAnswers(host = 'quay.io', timeoutMs = 2500): Promise<boolean> {
  for (const scheme of ['https', 'http']) {
    try {
      const res = await fetch(`${scheme}://${host}/v2/`, { signal: AbortSignal.timeout(timeoutMs) });
      if (res.status < 500) return true;
    } catch {
      // try the next scheme (a loopback registry speaks plain http)
    }
  }
  return false;
}

const NO_BASE_HINT =
  'make one without a registry: `transferctl base create` (Debian + JupyterLab from Debian packages, ~5 min), ' +
  'or load a saved one with `transferctl base load FILE`';

export async function chooseBase(
  engine: Engine,
  opts: { configured?: string; offline?: boolean; onProgress?: OnProgress },
): Promise<BaseChoice> {
  if (opts.configured) return { image: opts.configured, kind: 'configured' };
  if (await engine.images.inspect(STACKS_IMAGE)) return { image: STACKS_IMAGE, kind: 'stacks' };
  const offline = localJupyter(DEFAULT_SUITE);
  const haveOffline = !!(await engine.images.inspect(offline));
  if (opts.offline) {
    if (haveOffline) return { image: offline, kind: 'offline' };
    throw new UserError(`--offline: the local Jupyter base ${offline} is not on this engine`, { hint: NO_BASE_HINT });
  }
  if (await registryAnswers()) {
    try {
      await engine.images.pull(STACKS_IMAGE, opts.onProgress);
      return { image: STACKS_IMAGE, kind: 'stacks' };
    } catch (err) {
      log(`pull of ${STACKS_IMAGE} failed: ${(err as Error).message}`);
      if (!haveOffline) throw err instanceof EngineError ? new EngineError(err.message, { hint: NO_BASE_HINT }) : err;
    }
  } else log('no registry answers; using the offline base');
  if (haveOffline) return { image: offline, kind: 'offline' };
  throw new UserError(`no Jupyter base image: ${STACKS_IMAGE} cannot be pulled (no registry answers) and ${offline} does not exist`, {
    hint: NO_BASE_HINT,
  });
}
