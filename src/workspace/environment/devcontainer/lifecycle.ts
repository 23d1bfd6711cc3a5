// devcontainer.json's lifecycle commands, run in the workspace's container:
//   created: onCreateCommand, updateContentCommand, postCreateCommand — once per container
//            (a marker file in the container says they ran, so a killed `up` runs them again);
//   started: postStartCommand — each time the container starts;
//   attached: postAttachCommand — at each `up` and `shell`.
// A string runs through /bin/sh -c, a list runs as is, an object's commands run at once.
import { UserError } from '../../../errors.js';
import { locate } from '../../../config/jsonc.js';
import type { WorkspaceSpec } from '../../../config/types.js';
import type { Devcontainer, LifecycleCommand, LifecycleStage } from '../../../config/devcontainer/types.js';
import type { Engine } from '../../../engine/index.js';
import { hostUser } from '../../host-user.js';

/** In /tmp, which `save` and `commit` leave out: a container made from a saved image is new. */
export const CREATED_MARKER = '/tmp/.transferctl-devcontainer-created';

export type LifecycleMoment = 'created' | 'started' | 'attached';

const STAGES: Record<LifecycleMoment, LifecycleStage[]> = {
  created: ['onCreateCommand', 'updateContentCommand', 'postCreateCommand'],
  started: ['postStartCommand'],
  attached: ['postAttachCommand'],
};

/** The argv lists one command form runs (a single list unless the object form). */
export function commandsOf(cmd: LifecycleCommand): { name?: string; argv: string[] }[] {
  const one = (c: Exclude<LifecycleCommand, { kind: 'parallel' }>) => (c.kind === 'shell' ? ['/bin/sh', '-c', c.command] : c.argv);
  if (cmd.kind === 'parallel') return Object.entries(cmd.commands).map(([name, c]) => ({ name, argv: one(c) }));
  return [{ argv: one(cmd) }];
}

/** Who lifecycle commands run as: the host user (mapped onto remoteUser), else remoteUser/containerUser. */
export function lifecycleUser(spec: WorkspaceSpec, dc: Devcontainer, host = hostUser()): string | undefined {
  // root on the host maps onto nothing: remoteUser/containerUser, else the container's user.
  if (spec.userMapping && host.uid !== 0) return `${host.uid}:${host.gid}`;
  return dc.remoteUser ?? dc.containerUser;
}

function lastLines(text: string, n = 10): string {
  return text.trimEnd().split('\n').slice(-n).map((l) => `    ${l}`).join('\n');
}

async function runStage(engine: Engine, containerId: string, spec: WorkspaceSpec, dc: Devcontainer, stage: LifecycleStage, onStep: (m: string) => void): Promise<void> {
  const cmd = dc.lifecycle[stage];
  if (!cmd) return;
  onStep(`running ${stage}`);
  const user = lifecycleUser(spec, dc);
  const results = await Promise.all(
    commandsOf(cmd).map(async (c) => ({ ...c, r: await engine.containers.exec(containerId, c.argv, { user, workingDir: dc.workspaceFolder }) })),
  );
  const failed = results.find((x) => x.r.exitCode !== 0);
  if (!failed) return;
  const where = locate(dc.doc, failed.name ? [stage, failed.name] : [stage]);
  const loc = where.line ? `${dc.file}:${where.line}:${where.column}` : dc.file;
  const output = (failed.r.stdout + failed.r.stderr).trim();
  throw new UserError(
    `${stage}${failed.name ? ` "${failed.name}"` : ''} (${loc}) failed with exit code ${failed.r.exitCode}` + (output ? `; its last lines:\n${lastLines(output)}` : ''),
    { hint: 'fix the command in devcontainer.json, then run `transferctl up` again' },
  );
}

/** Run what belongs to this moment. `created` runs only when the container has not run it yet. */
export async function runLifecycle(engine: Engine, containerId: string, spec: WorkspaceSpec, dc: Devcontainer, moment: LifecycleMoment, onStep: (m: string) => void = () => {}): Promise<void> {
  const stages = STAGES[moment].filter((s) => dc.lifecycle[s]);
  if (stages.length === 0) return;
  if (moment === 'created') {
    const done = await engine.containers.exec(containerId, ['/bin/sh', '-c', `test -e ${CREATED_MARKER}`], { user: '0' });
    if (done.exitCode === 0) return;
  }
  for (const s of stages) await runStage(engine, containerId, spec, dc, s, onStep);
  if (moment === 'created') await engine.containers.exec(containerId, ['/bin/sh', '-c', `touch ${CREATED_MARKER}`], { user: '0' });
}
