// stop, rm, logs, exec: small operations on this workspace's own container.
import type { Readable } from 'node:stream';
import type { Engine } from '../engine/index.js';
import type { WorkspaceSpec } from '../config/types.js';
import { findWorkspaceContainer, foreignContainerError, requireWorkspaceContainer } from './find.js';
import { ownedBy } from './labels.js';
import { hostUser } from './host-user.js';
import { UserError } from '../errors.js';
import { removeEnvironmentTags } from './environment/cache.js';
import { lifecycleAt } from './environment/devcontainer/up-steps.js';
import { lifecycleUser } from './environment/devcontainer/lifecycle.js';

export interface StopResult {
  container: string;
  was: 'running' | 'stopped' | 'absent';
}

export async function stop(engine: Engine, spec: WorkspaceSpec, timeoutSeconds = 10): Promise<StopResult> {
  const found = await findWorkspaceContainer(engine, spec);
  if (found.kind === 'none') return { container: spec.containerName, was: 'absent' };
  if (found.kind === 'foreign') throw foreignContainerError(spec, found.container);
  const c = found.container;
  if (!c.running) return { container: c.name, was: 'stopped' };
  await engine.containers.stop(c.id, timeoutSeconds);
  return { container: c.name, was: 'running' };
}

export interface RemoveResult {
  container: string;
  removed: boolean;
  imageRemoved?: string;
  /** The environment image's hash tags removed with it (rm --image). */
  environmentRemoved?: string[];
}

export async function remove(engine: Engine, spec: WorkspaceSpec, opts: { image?: boolean; force?: boolean } = {}): Promise<RemoveResult> {
  const found = await findWorkspaceContainer(engine, spec);
  if (found.kind === 'foreign' && !opts.force) throw foreignContainerError(spec, found.container);
  let removed = false;
  if (found.kind !== 'none') {
    await engine.containers.remove(found.container.id, { force: true });
    removed = true;
  }
  let imageRemoved: string | undefined;
  let environmentRemoved: string[] | undefined;
  if (opts.image) {
    const img = await engine.images.inspect(spec.image.name);
    if (img && (ownedBy(img.labels, spec) || opts.force)) {
      await engine.images.remove(spec.image.name);
      imageRemoved = spec.image.name;
    }
    environmentRemoved = await removeEnvironmentTags(engine, spec);
  }
  return { container: found.kind === 'none' ? spec.containerName : found.container.name, removed, imageRemoved, environmentRemoved };
}

export async function logs(engine: Engine, spec: WorkspaceSpec, opts: { follow?: boolean; tail?: number }): Promise<Readable> {
  const c = await requireWorkspaceContainer(engine, spec);
  return engine.containers.logs(c.id, opts);
}

/**
 * Run a command in the workspace as the mapped user (interactive when attached to a terminal).
 * `attach` (a shell): devcontainer.json's postAttachCommand runs first.
 */
export async function execIn(engine: Engine, spec: WorkspaceSpec, cmd: string[], opts: { root?: boolean; attach?: boolean } = {}): Promise<number> {
  const c = await requireWorkspaceContainer(engine, spec);
  if (!c.running) {
    throw new UserError(`container "${c.name}" is not running`, { hint: 'start it with `transferctl up`' });
  }
  if (opts.attach) await lifecycleAt(engine, spec, c.id, ['attached']);
  const { uid, gid } = hostUser();
  // A devcontainer's shell is its lifecycle commands' user (remoteUser when the host user is root).
  const mapped = spec.devcontainer ? lifecycleUser(spec, spec.devcontainer) : spec.userMapping ? `${uid}:${gid}` : undefined;
  const user = opts.root ? undefined : mapped;
  const env: Record<string, string> = {};
  if (c.env.HOME) env.HOME = c.env.HOME;
  return engine.containers.execInteractive(c.id, cmd, { user, workingDir: spec.devcontainer?.workspaceFolder ?? spec.volume.mountPoint, env });
}
