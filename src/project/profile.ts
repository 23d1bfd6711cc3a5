// The run profile: one model for a `run.cfg` section and a transfer.json `profiles` entry.
// Plain data; docker-style strings are already parsed into it.
import type { MountSpec } from '../engine/types.js';
import type { GpuRequest } from '../config/types.js';
import type { PortSpec } from './port-spec.js';

/** it: stdin + terminal; i: stdin; t: terminal; d: detached; attached: output only (docker's default). */
export type RunMode = 'it' | 'i' | 't' | 'd' | 'attached';

export interface GpuSettings {
  /** A device request (`--gpus all`, `--gpus 2`, `--gpus device=0,1`). */
  request?: GpuRequest;
  /** `--runtime=nvidia` (NVIDIA Docker 2.0). */
  runtime?: string;
  env: Record<string, string>;
}

/** Where a setting was written, for errors found later (missing network, missing folder). */
export interface Origin {
  file: string;
  line?: number;
  column?: number;
  /** "[dev] volumes" or "profiles.dev.volumes" */
  where: string;
}

export const PROFILE_KEYS = ['environment', 'interactive', 'gpu', 'network', 'volumes', 'ports', 'cmd', 'tag', 'name'] as const;
export type ProfileKey = (typeof PROFILE_KEYS)[number];

export interface Profile {
  /** The profile's name: an image folder, or a synthetic image. */
  name: string;
  /** The docker/<image> folder it runs. */
  image: string;
  synthetic: boolean;
  tag?: string;
  env: Record<string, string>;
  mode?: RunMode;
  /** What `--gpu` adds (default `--gpus all`). */
  gpu?: GpuSettings;
  network?: string;
  mounts: MountSpec[];
  ports: PortSpec[];
  cmd?: string[];
  origin: Partial<Record<ProfileKey | 'section', Origin>>;
}

/** The default GPU request when a profile names none: every GPU. */
export const DEFAULT_GPU: GpuSettings = { request: { count: -1 }, env: {} };

export function emptyProfile(name: string, image: string, synthetic: boolean): Profile {
  return { name, image, synthetic, env: {}, mounts: [], ports: [], origin: {} };
}
