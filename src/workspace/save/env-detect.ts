// Has the environment changed since the base recorded it, and if so what to copy and remove:
// `docker diff` of the workspace container, its fingerprint (with the changed files' stat while
// it runs, env.ts), and the base's record of the previous changes.
import type { ContainerDetails, Engine, FsChange, ImageDetails } from '../../engine/index.js';
import { decodeEnvRecord, envFingerprint, envStat, filterEnvChanges, planEnvOps, type EnvOps, type EnvSkip } from './env.js';
import { ENV_RECORD, S } from './labels.js';
import { readContainerFile } from './temp-container.js';

/** What the container shows now: its filtered `docker diff` and that state's fingerprint. */
export interface EnvSeen {
  current: FsChange[];
  fingerprint: string;
}

/** Asked first thing (it takes an exec in the container): the rest of the save plans meanwhile. */
export async function observeEnvironment(engine: Engine, container: Pick<ContainerDetails, 'id' | 'running'>, skip: EnvSkip): Promise<EnvSeen> {
  const current = filterEnvChanges(await engine.containers.changes(container.id), skip);
  return { current, fingerprint: envFingerprint(current, container.running ? await envStat(engine, container.id, current) : '') };
}

export interface EnvRequest {
  /** The workspace container's environment as observed (none: no container). */
  seen: Promise<EnvSeen> | null;
  /** The container's image (what `docker diff` is relative to). */
  containerImageId: string;
  base: ImageDetails;
  /** The base is the previous save and carries an environment record. */
  previousRecord: boolean;
  forceEnv?: boolean;
  /** The temporary container on the base (the record is read from it). */
  tempId: string;
}

export interface EnvDecision {
  /** The filtered `docker diff`: what the new record will hold. */
  current: FsChange[];
  ops: EnvOps;
  changed: boolean;
  labels: Record<string, string>;
}

const NONE: EnvOps = { copy: [], shallow: new Set(), remove: [] };

export async function detectEnvironment(engine: Engine, req: EnvRequest): Promise<EnvDecision> {
  const { base } = req;
  if (!req.seen) {
    const labels: Record<string, string> = {};
    for (const k of [S.envBase, S.envFingerprint]) if (base.labels[k]) labels[k] = base.labels[k];
    return { current: [], ops: NONE, changed: false, labels };
  }
  const { current, fingerprint: fp } = await req.seen;
  const labels = { [S.envBase]: req.containerImageId, [S.envFingerprint]: fp };
  if (req.previousRecord && base.labels[S.envFingerprint] === fp && !req.forceEnv) return { current, ops: NONE, changed: false, labels };
  const recorded = req.previousRecord ? decodeEnvRecord((await readContainerFile(engine, req.tempId, ENV_RECORD)) ?? Buffer.alloc(0)) : [];
  const ops = planEnvOps(current, recorded);
  const changed = ops.copy.length > 0 || ops.remove.length > 0 || current.length > 0 || recorded.length > 0;
  return { current, ops, changed, labels };
}
