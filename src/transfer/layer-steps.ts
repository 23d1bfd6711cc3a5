// A resumable transfer, as plain data: each missing layer goes in its own small `docker load`
// (bottom first), which leaves an untagged step image holding the layers up to it. A cut
// connection loses at most the load in flight: the next run's probe sees the steps' layers
// there and sends only the rest. Step images are named by their config, so every run computes
// the same IDs and removes them once the real image is loaded.
import { createHash } from 'node:crypto';
import { L } from '../labels.js';
import type { LayerPlan } from './plan.js';

/** Marks a step image: the image ID it is a step of. */
export const STEP_OF = 'org.transferctl.transfer-step-of';

export interface LayerStep {
  /** Layer index (bottom = 0). */
  index: number;
  diffId: string;
}

/** The layers the target lacks, bottom first: one load each. */
export function planSteps(plan: LayerPlan): LayerStep[] {
  return plan.diffIds.map((diffId, index) => ({ index, diffId })).filter((s) => !plan.present[s.index]);
}

/** The config of the step image for layers 0..index of `imageId` (deterministic bytes). */
export function stepConfig(diffIds: readonly string[], index: number, imageId: string, architecture = 'amd64'): Buffer {
  const config = {
    architecture,
    os: 'linux',
    config: { Labels: { [L.managed]: 'true', [L.role]: 'temporary', [STEP_OF]: imageId } },
    rootfs: { type: 'layers', diff_ids: diffIds.slice(0, index + 1) },
  };
  return Buffer.from(JSON.stringify(config));
}

/** Docker names an image by the sha256 of its config. */
export const imageIdOf = (config: Buffer) => `sha256:${createHash('sha256').update(config).digest('hex')}`;

/** The manifest.json of a step tarball: every layer named, only the last one's file present. */
export function stepManifest(index: number): Buffer {
  return Buffer.from(JSON.stringify([{ Config: 'config.json', RepoTags: null, Layers: Array.from({ length: index + 1 }, (_, i) => `layer-${i}.tar`) }]));
}

/** Bytes of a tar holding files of these sizes (ustar headers, 512-byte blocks, 1024-byte end). */
export function tarSize(sizes: readonly number[]): number {
  return sizes.reduce((n, s) => n + 512 + Math.ceil(s / 512) * 512, 0) + 1024;
}

/** Step images of `imageId` (any prefix) that the target holds: removed once the image is there. */
export function stepImagesThere(diffIds: readonly string[], imageId: string, there: ReadonlySet<string>, architecture?: string): string[] {
  return diffIds.map((_, i) => imageIdOf(stepConfig(diffIds, i, imageId, architecture))).filter((id) => there.has(id));
}
