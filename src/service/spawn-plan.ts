// The container for one visitor, as plain data (unit-tested): limits, no privilege
// escalation, no capabilities, no engine socket, its own base URL and token, the port
// published on 127.0.0.1 only (an engine-chosen port), on the service's ICC-less network; no
// swap; with limits.disk a read-only root and size-limited tmpfs for home, /tmp and VOLUMEs.
import { randomBytes } from 'node:crypto';
import type { ContainerCreateSpec, Labels } from '../engine/types.js';
import { startScriptOf, wrapWithStart } from '../start-script.js';
import type { ServeSpec } from './config.js';
import { networkName, poolLabels, warmName } from './labels.js';
import { basePath } from './session.js';

export interface NewIdentity {
  route: string;
  token: string;
}

export function newIdentity(): NewIdentity {
  return { route: randomBytes(16).toString('hex'), token: randomBytes(24).toString('hex') };
}

/** The server command: the configured one, the image's Jupyter command, or jupyter-lab. */
export function serverCommand(spec: ServeSpec, imageCmd: string[]): string[] {
  if (spec.jupyter.command) return spec.jupyter.command;
  const first = imageCmd[0] ?? '';
  return [/jupyter/.test(first) ? first : 'jupyter-lab'];
}

/** Every visitor's server command: serverCommand, wrapped by the image's repo2docker `start`
 *  script when it carries one (as `up` does), so a start script's set-up happens in serve too. */
export function visitorCommand(spec: ServeSpec, image: { cmd: string[]; labels: Labels } | null | undefined): string[] {
  return wrapWithStart(serverCommand(spec, image?.cmd ?? []), startScriptOf(image?.labels));
}

/** What a visitor may write (limits.disk): home and /tmp in size-limited tmpfs, the rest read-only. */
export interface VisitorDisk {
  bytes: number;
  /** The image's home folder; its contents come from the seed volume at each start. */
  home: string;
  /** A volume holding a copy of the image's home (see home-seed.ts). */
  seed: string;
  /** Paths the image declares as VOLUME (tmpfs too, so no anonymous volume is made). */
  volumes: string[];
}

/** How every visitor container is made: the server command and, when limited, its disk. */
export interface VisitorShape {
  command: string[];
  disk?: VisitorDisk;
}

export const HOME_SEED_PATH = '/.transferctl-home';

function diskShape(disk: VisitorDisk, user: string): Pick<ContainerCreateSpec, 'readOnlyRoot' | 'tmpfs' | 'mounts'> {
  const ids = /^(\d+)(?::(\d+))?$/.exec(user);
  const own = ids ? `,uid=${ids[1]},gid=${ids[2] ?? ids[1]},mode=0700` : ',mode=1777';
  const tmpfs: Record<string, string> = {};
  for (const path of ['/tmp', ...disk.volumes]) tmpfs[path] = `rw,exec,nosuid,nodev,size=${disk.bytes},mode=1777`;
  tmpfs[disk.home] = `rw,exec,nosuid,nodev,size=${disk.bytes}${own}`;
  return { readOnlyRoot: true, tmpfs, mounts: [{ type: 'volume', source: disk.seed, target: HOME_SEED_PATH, readOnly: true }] };
}

/** Copy the image's home into the (empty) tmpfs home, then become the server. */
function withHomeCopy(cmd: string[], home: string): string[] {
  return ['sh', '-c', `cp -a ${HOME_SEED_PATH}/. "$1" && shift && exec "$@"`, 'transferctl-home', home, ...cmd];
}

export function planPoolContainer(spec: ServeSpec, id: NewIdentity, command: string[], disk?: VisitorDisk): ContainerCreateSpec {
  const base = basePath(id.route);
  const port = spec.jupyter.port;
  const cmd = [
    ...command,
    '--ip=0.0.0.0',
    `--port=${port}`,
    '--no-browser',
    // Jupyter Server 2 (JupyterLab 4, Notebook 7) and the classic notebook 6 read different
    // sections; each ignores the other's.
    `--ServerApp.base_url=${base}`,
    `--NotebookApp.base_url=${base}`,
    ...spec.jupyter.args,
  ];
  return {
    name: warmName(spec.name, id.route),
    image: spec.image,
    cmd: disk ? withHomeCopy(cmd, disk.home) : cmd,
    env: { ...spec.env, JUPYTER_TOKEN: id.token },
    labels: poolLabels(spec.name, id.route, port),
    user: spec.user,
    ports: { [`${port}/tcp`]: [{ hostIp: '127.0.0.1', hostPort: 0 }] },
    network: networkName(spec.name),
    memoryBytes: spec.limits.memoryBytes,
    memorySwapBytes: spec.limits.memoryBytes,
    nanoCpus: spec.limits.nanoCpus,
    pidsLimit: spec.limits.pids,
    securityOpt: ['no-new-privileges'],
    capDrop: ['ALL'],
    init: true,
    restartPolicy: 'no',
    mounts: [],
    ...(disk ? diskShape(disk, spec.user) : {}),
  };
}

/** The network: one bridge per service, containers cannot talk to each other (ICC off). */
export function networkOptions(internet: boolean): Record<string, string> {
  return {
    'com.docker.network.bridge.enable_icc': 'false',
    'com.docker.network.bridge.enable_ip_masquerade': internet ? 'true' : 'false',
  };
}
