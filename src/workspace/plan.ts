// Config → container plan. Plain data in, plain data out: unit-tested without an engine.
import type { ContainerCreateSpec, MountSpec } from '../engine/types.js';
import type { WorkspaceSpec } from '../config/types.js';
import { workspaceLabels } from './labels.js';
import { L } from '../labels.js';
import { entrypointScript } from './entrypoint.js';
import { wrapWithStart } from '../start-script.js';
import type { DevcontainerRuntime } from './environment/devcontainer/runtime.js';

/** argv[0] of the inline user-mapping script (shows in `ps` inside the container). */
export const ENTRYPOINT_NAME = 'transferctl-entrypoint';
export const SSH_AGENT_TARGET = '/run/transferctl/ssh-agent.sock';

export interface RuntimeFacts {
  /** The host user the files must belong to. */
  uid: number;
  gid: number;
  /** Host port to publish on (0: let the engine choose). */
  hostPort: number;
  token: string;
  /** Host path of the SSH agent socket, when forwarding. */
  sshAuthSock?: string;
  configHash?: string;
  /** The image's repo2docker `start` script (start-script.ts), which wraps the command. */
  startScript?: string;
}

export const JUPYTER_BINARIES = { lab: 'jupyter-lab', notebook: 'jupyter-notebook', server: 'jupyter-server' } as const;

/** The server command inside the container. Token comes from JUPYTER_TOKEN. */
export function jupyterCommand(spec: WorkspaceSpec, root = spec.volume.mountPoint): string[] {
  const { mode, port, command, args } = spec.jupyter;
  if (mode === 'none' || command) {
    return (command ?? []).map((a) => a.replaceAll('{port}', String(port)).replaceAll('{root}', root));
  }
  return [JUPYTER_BINARIES[mode], '--ip=0.0.0.0', `--port=${port}`, '--no-browser', '--allow-root', `--notebook-dir=${root}`, ...args];
}

/** Where a browser should go once the server answers. */
export function notebookPath(mode: WorkspaceSpec['jupyter']['mode']): string {
  return mode === 'lab' ? '/lab' : mode === 'notebook' ? '/tree' : '/';
}

/** The notebook's URL with its token (a wildcard bind address is reached on 127.0.0.1). */
export function urlFor(spec: WorkspaceSpec, host: string, port: number, token: string): string {
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host;
  return `http://${h}:${port}${notebookPath(spec.jupyter.mode)}?token=${token}`;
}

/** The container for a workspace; `dc`: devcontainer.json's run-time settings, merged in (transfer.json's win). */
export function planContainer(spec: WorkspaceSpec, facts: RuntimeFacts, dc?: DevcontainerRuntime): ContainerCreateSpec {
  const mounts: MountSpec[] = [
    spec.volume.engineVolume
      ? { type: 'volume', source: spec.volume.engineVolume, target: spec.volume.mountPoint, readOnly: spec.volume.readOnly }
      : { type: 'bind', source: spec.volume.hostDir, target: spec.volume.mountPoint, readOnly: spec.volume.readOnly },
    ...(dc?.mounts ?? []),
  ];
  const env: Record<string, string> = { ...dc?.env, ...spec.env, JUPYTER_TOKEN: facts.token };
  if (spec.sshAgent && facts.sshAuthSock) {
    mounts.push({ type: 'bind', source: facts.sshAuthSock, target: SSH_AGENT_TARGET });
    env.SSH_AUTH_SOCK = SSH_AGENT_TARGET;
  }
  const labels = { ...workspaceLabels(spec) };
  if (facts.configHash) labels[L.configHash] = facts.configHash;
  const folder = dc?.workspaceFolder ?? spec.volume.mountPoint;
  const command = wrapWithStart(jupyterCommand(spec, folder), facts.startScript);
  const plan: ContainerCreateSpec = {
    name: spec.containerName,
    image: spec.image.name,
    cmd: command,
    env,
    labels,
    workingDir: folder,
    ports: { ...dc?.ports, [`${spec.jupyter.port}/tcp`]: [{ hostIp: spec.publish.address, hostPort: facts.hostPort }] },
    mounts,
    memoryBytes: spec.resources.memoryBytes,
    nanoCpus: spec.resources.nanoCpus,
    shmBytes: spec.resources.shmBytes,
    gpu: spec.gpu ?? dc?.gpu,
    init: true,
  };
  if (dc?.runtime) plan.runtime = dc.runtime;
  if (dc?.network) plan.network = dc.network;
  // A host user of root maps onto nothing (as the Dev Containers CLI): a devcontainer's
  // remoteUser/containerUser (or the image's named USER) then runs with its own IDs.
  if (spec.userMapping && facts.uid === 0 && dc?.user) {
    plan.user = dc.user;
  } else if (spec.userMapping) {
    // Start as root only to become the host user (templates/entrypoint.sh, passed inline
    // so any image with /bin/sh works and nothing has to be copied in first).
    plan.user = '0';
    plan.entrypoint = ['/bin/sh', '-c', entrypointScript(), ENTRYPOINT_NAME];
    env.TRANSFERCTL_UID = String(facts.uid);
    env.TRANSFERCTL_GID = String(facts.gid);
    // The entrypoint gives this user (remoteUser/containerUser) the host's UID and GID.
    if (dc?.user) env.TRANSFERCTL_USER = dc.user;
  } else if (dc?.containerUser) {
    plan.user = dc.containerUser;
  }
  return plan;
}
