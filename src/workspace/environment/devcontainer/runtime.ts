// devcontainer.json's run-time settings → one DevcontainerRuntime, resolved once before the
// container is created and merged by the plan (workspace/plan.ts). Pure: the image's
// environment and user come in as facts. runArgs go through run.cfg's allow-list.
import { homedir } from 'node:os';
import { ConfigError } from '../../../errors.js';
import { locate } from '../../../config/jsonc.js';
import type { GpuRequest } from '../../../config/types.js';
import type { Devcontainer, DevcontainerMount } from '../../../config/devcontainer/types.js';
import { replaceContainerEnv } from '../../../config/devcontainer/variables.js';
import type { MountSpec, PortBinding } from '../../../engine/types.js';
import { ArgError } from '../../../project/flags.js';
import { parseMountSpec } from '../../../project/volume-spec.js';
import { parsePortSpec, type PortSpec } from '../../../project/port-spec.js';
import { parseRunArgs } from '../../../project/run-args.js';

export interface DevcontainerRuntime {
  /** containerEnv, then remoteEnv (its ${containerEnv:…} resolved): the notebook sees both. */
  env: Record<string, string>;
  mounts: MountSpec[];
  /** forwardPorts, appPort and runArgs' -p: "8050/tcp" → bindings (127.0.0.1 unless written out). */
  ports: Record<string, PortBinding[]>;
  gpu?: GpuRequest;
  runtime?: string;
  network?: string;
  /** The user the notebook and lifecycle commands run as: remoteUser, else containerUser, else the image's. */
  user?: string;
  /** containerUser (what the container starts as when user mapping is off). */
  containerUser?: string;
  /** Jupyter's folder and the lifecycle commands' working directory. */
  workspaceFolder: string;
  lifecycle: Devcontainer['lifecycle'];
}

export interface ImageFacts {
  /** The image's environment (Env of its config). */
  env: Record<string, string>;
  /** The image's USER ("" for root). */
  user: string;
}

function at(dc: Devcontainer, path: (string | number)[], err: unknown): never {
  if (!(err instanceof ArgError)) throw err;
  throw new ConfigError(dc.file, `${path.join('.')}: ${err.message}`, { ...locate(dc.doc, path), hint: err.hint });
}

/** Options of docker's --mount that only mean something to Docker Desktop (or nothing at all). */
const IGNORED_MOUNT_OPTIONS = /^(consistency|external)=/i;

function mountText(m: DevcontainerMount): string {
  if ('text' in m) return m.text.split(',').filter((f) => !IGNORED_MOUNT_OPTIONS.test(f.trim())).join(',');
  return [`type=${m.type ?? (m.source ? 'volume' : 'tmpfs')}`, m.source ? `source=${m.source}` : '', `target=${m.target}`].filter(Boolean).join(',');
}

function bind(ports: Record<string, PortBinding[]>, list: PortSpec[]): void {
  for (const p of list) (ports[`${p.containerPort}/${p.protocol}`] ??= []).push({ hostIp: p.hostIp, hostPort: p.hostPort });
}

/** A named, non-root image user (numeric users and root get transferctl's default name). */
function namedUser(user: string): string | undefined {
  const name = user.split(':')[0];
  return name && name !== 'root' && !/^\d+$/.test(name) ? name : undefined;
}

export function resolveRuntime(dc: Devcontainer, image: ImageFacts, opts: { root: string; home?: string; hostEnv?: NodeJS.ProcessEnv }): DevcontainerRuntime {
  const paths = { root: opts.root, home: opts.home ?? homedir() };
  const mounts = dc.mounts.map((m, i) => {
    try {
      return parseMountSpec(mountText(m), paths);
    } catch (err) {
      return at(dc, ['mounts', i], err);
    }
  });
  const ports: Record<string, PortBinding[]> = {};
  for (const p of dc.forwardPorts) bind(ports, [{ containerPort: p, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: p, explicitAddress: false }]);
  dc.appPort.forEach((p, i) => {
    try {
      bind(ports, parsePortSpec(typeof p === 'number' ? `${p}:${p}` : p));
    } catch (err) {
      at(dc, ['appPort', i], err);
    }
  });
  let args;
  try {
    args = parseRunArgs(dc.runArgs, { ...paths, hostEnv: opts.hostEnv });
  } catch (err) {
    // Point at the argument the message names.
    const i = dc.runArgs.findIndex((a) => (err as Error).message.includes(`"${a}"`));
    return at(dc, i >= 0 ? ['runArgs', i] : ['runArgs'], err);
  }
  bind(ports, args.ports);
  const containerEnv = { ...dc.containerEnv, ...args.env };
  const seen = { ...image.env, ...containerEnv };
  const remoteEnv = Object.fromEntries(Object.entries(dc.remoteEnv).map(([k, v]) => [k, replaceContainerEnv(v, seen)]));
  return {
    env: { ...containerEnv, ...remoteEnv },
    mounts: [...mounts, ...args.mounts],
    ports,
    gpu: args.gpu,
    runtime: args.runtime,
    network: args.network,
    user: dc.remoteUser ?? dc.containerUser ?? namedUser(image.user),
    containerUser: dc.containerUser,
    workspaceFolder: dc.workspaceFolder,
    lifecycle: dc.lifecycle,
  };
}
