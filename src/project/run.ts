// `image run NAME [-- CMD]`: run a profile's container. Attached runs (-it, -i, -t, or the
// default foreground) are removed when they exit, like `docker run --rm`; detached ones (-d)
// keep running and their name is returned.
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { UserError } from '../errors.js';
import type { Engine, OnProgress, PortBinding } from '../engine/index.js';
import { imageRef, type Project } from './discover.js';
import type { Profile, RunMode } from './profile.js';
import { findProfile, folderTag, profileTag } from './profiles.js';
import { buildProject, type ProjectBuildResult } from './build.js';
import { containerName, planRun } from './run-plan.js';
import { checkRun, explainStartError } from './run-checks.js';

export interface RunOptions {
  cmd?: string[];
  gpu?: boolean;
  detach?: boolean;
  /** Container name (default <project>-<profile>-<random>). */
  name?: string;
  streams?: { stdin?: Readable; stdout?: Writable; stderr?: Writable };
  terminal?: boolean;
  signal?: AbortSignal;
  onProgress?: OnProgress;
  onStep?: (message: string) => void;
}

export interface RunResult {
  profile: string;
  image: string;
  container: string;
  containerId: string;
  mode: RunMode;
  /** Set for attached runs (the container is gone). */
  exitCode?: number;
  /** Published ports of a detached container. */
  ports: Record<string, PortBinding[]>;
  built?: ProjectBuildResult;
}

async function ensureImage(engine: Engine, project: Project, profiles: Profile[], profile: Profile, ref: string, opts: RunOptions): Promise<ProjectBuildResult | undefined> {
  if (await engine.images.inspect(ref)) return undefined;
  if (ref !== imageRef(project, profile.image, folderTag(project, profiles, profile.image))) {
    throw new UserError(`image ${ref} does not exist (profile "${profile.name}" asks for tag ${profile.tag})`, {
      hint: `build and tag it first, or remove tag=${profile.tag} from [${profile.name}]`,
    });
  }
  opts.onStep?.(`image ${ref} is not built yet: building it`);
  return buildProject(engine, project, profiles, profile.image, { signal: opts.signal, onProgress: opts.onProgress, onStep: opts.onStep });
}

export async function runProfile(engine: Engine, project: Project, profiles: Profile[], name: string, opts: RunOptions = {}): Promise<RunResult> {
  const profile = findProfile(project, profiles, name);
  const ref = imageRef(project, profile.image, profileTag(project, profiles, profile));
  const terminal = opts.terminal ?? (!!process.stdin.isTTY && !!process.stdout.isTTY);
  const plan = planRun(project, profile, {
    ref,
    name: opts.name ?? containerName(project, profile.name, randomBytes(3).toString('hex')),
    cmd: opts.cmd,
    gpu: opts.gpu,
    detach: opts.detach,
    terminal,
  });
  await checkRun(engine, profile, plan);
  const built = await ensureImage(engine, project, profiles, profile, ref, opts);
  if (opts.signal?.aborted) throw opts.signal.reason;

  opts.onStep?.(`creating container ${plan.spec.name} from ${ref}`);
  const id = await engine.containers.create(plan.spec);
  const base = { profile: profile.name, image: ref, container: plan.spec.name!, containerId: id, mode: plan.mode, built };
  try {
    if (plan.mode === 'd') {
      await engine.containers.start(id);
      const c = await engine.containers.inspect(id);
      return { ...base, ports: c?.ports ?? {} };
    }
    // Ctrl-C (when the terminal is not in raw mode) reaches the container as docker run's would.
    opts.signal?.addEventListener('abort', () => void engine.containers.kill(id, 'SIGINT').catch(() => {}), { once: true });
    const exitCode = await engine.containers.startAttached(id, {
      stdin: !!plan.spec.openStdin,
      tty: !!plan.spec.tty,
      streams: opts.streams,
    });
    await engine.containers.remove(id, { force: true });
    return { ...base, exitCode, ports: {} };
  } catch (err) {
    // Nothing half-done: the container this run made goes away.
    await engine.containers.remove(id, { force: true }).catch(() => {});
    throw explainStartError(err, engine, plan);
  }
}
