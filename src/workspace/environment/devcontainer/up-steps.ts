// What `up` and `shell` do for a devcontainer.json workspace, in two calls: the run-time
// settings for the plan (from the config and the image), and the lifecycle commands due at
// a moment, which undo the start when one fails.
import { existsSync } from 'node:fs';
import { ConfigError } from '../../../errors.js';
import { locate } from '../../../config/jsonc.js';
import type { WorkspaceSpec } from '../../../config/types.js';
import type { Engine, ImageDetails } from '../../../engine/index.js';
import { portFree } from '../../../ports.js';
import { resolveRuntime, type DevcontainerRuntime } from './runtime.js';
import { runLifecycle, type LifecycleMoment } from './lifecycle.js';

function envRecord(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** The devcontainer's run-time settings (undefined for other workspaces). Throws ConfigError for a bad setting. */
export function runtimeFor(spec: WorkspaceSpec, image: ImageDetails | null | undefined, hostEnv: NodeJS.ProcessEnv = process.env): DevcontainerRuntime | undefined {
  if (!spec.devcontainer) return undefined;
  return resolveRuntime(spec.devcontainer, { env: envRecord(image?.env ?? []), user: image?.user ?? '' }, { root: spec.root, hostEnv });
}

/**
 * Before create, on a local engine: the host folders of bind mounts exist and fixed host ports
 * are free (else the engine's own error would blame Jupyter's port, or name no file).
 */
export async function checkRuntime(engine: Engine, spec: WorkspaceSpec, dc: DevcontainerRuntime | undefined): Promise<void> {
  const config = spec.devcontainer;
  if (!dc || !config || !engine.isLocal) return;
  for (const m of dc.mounts) {
    if (m.type === 'bind' && m.source && !existsSync(m.source)) {
      throw new ConfigError(config.file, `mounts: the host folder ${m.source} (for ${m.target}) does not exist`, {
        ...locate(config.doc, [], 'mounts'),
        hint: `create it (mkdir -p ${m.source}) or fix the path`,
      });
    }
  }
  for (const [port, bindings] of Object.entries(dc.ports)) {
    for (const b of bindings) {
      if (b.hostPort && port.endsWith('/tcp') && !(await portFree(b.hostPort, b.hostIp))) {
        throw new ConfigError(config.file, `port ${b.hostPort} on ${b.hostIp} (forwardPorts, appPort or runArgs) is already taken`, {
          hint: 'stop what uses it, or forward another port',
        });
      }
    }
  }
}

/**
 * Run the lifecycle commands of these moments, in order. When one fails, `undo` runs (remove
 * or stop the container) before the error goes on: nothing is left half-done.
 */
export async function lifecycleAt(
  engine: Engine,
  spec: WorkspaceSpec,
  containerId: string,
  moments: LifecycleMoment[],
  opts: { onStep?: (m: string) => void; undo?: () => Promise<unknown>; signal?: AbortSignal } = {},
): Promise<void> {
  const dc = spec.devcontainer;
  if (!dc) return;
  const { signal } = opts;
  let onAbort: (() => void) | undefined;
  try {
    const run = (async () => {
      for (const m of moments) {
        if (signal?.aborted) throw signal.reason;
        await runLifecycle(engine, containerId, spec, dc, m, opts.onStep);
      }
    })();
    // Ctrl-C does not wait for a long command: the undo (or the caller's removal) ends it.
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    run.catch(() => {});
    aborted.catch(() => {});
    await Promise.race([run, aborted]);
  } catch (err) {
    await opts.undo?.().catch(() => {});
    throw err;
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
