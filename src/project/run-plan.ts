// Profile → container create spec. Plain data in, plain data out (unit-tested, no engine).
import type { ContainerCreateSpec, PortBinding } from '../engine/types.js';
import type { Project } from './discover.js';
import { projectContainerLabels } from './labels.js';
import { DEFAULT_GPU, type GpuSettings, type Profile, type RunMode } from './profile.js';

export interface RunFacts {
  /** The image reference to run. */
  ref: string;
  /** Container name. */
  name: string;
  /** A command instead of the profile's `cmd` (`image run NAME -- CMD`). */
  cmd?: string[];
  /** `--gpu`: add the profile's GPU settings (default: every GPU). */
  gpu?: boolean;
  /** `--detach`: run in the background whatever the profile says. */
  detach?: boolean;
  /** This process has a terminal (a tty is only given to a container when it does). */
  terminal: boolean;
}

export interface RunPlan {
  spec: ContainerCreateSpec;
  mode: RunMode;
  gpu?: GpuSettings;
}

export function containerName(project: Project, profile: string, suffix: string): string {
  const base = `${project.name}-${profile}`.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
  return `${base || 'project'}-${suffix}`;
}

export function portBindings(profile: Profile): Record<string, PortBinding[]> {
  const out: Record<string, PortBinding[]> = {};
  for (const p of profile.ports) (out[`${p.containerPort}/${p.protocol}`] ??= []).push({ hostIp: p.hostIp, hostPort: p.hostPort });
  return out;
}

export function planRun(project: Project, profile: Profile, facts: RunFacts): RunPlan {
  const mode: RunMode = facts.detach ? 'd' : (profile.mode ?? 'attached');
  const gpu = facts.gpu ? (profile.gpu ?? DEFAULT_GPU) : undefined;
  const stdin = mode === 'it' || mode === 'i';
  const spec: ContainerCreateSpec = {
    name: facts.name,
    image: facts.ref,
    env: { ...profile.env, ...(gpu?.env ?? {}) },
    labels: projectContainerLabels(project, profile.image, profile.name),
    tty: (mode === 'it' || mode === 't') && facts.terminal,
    openStdin: stdin,
    stdinOnce: stdin,
    ports: portBindings(profile),
    mounts: profile.mounts.map((m) => ({ ...m })),
  };
  const cmd = facts.cmd?.length ? facts.cmd : profile.cmd;
  if (cmd) spec.cmd = cmd;
  if (profile.network) spec.network = profile.network;
  if (gpu?.request) spec.gpu = gpu.request;
  if (gpu?.runtime) spec.runtime = gpu.runtime;
  return { spec, mode, gpu };
}
