// Which layers must travel: plain data from the image's diff IDs and the chain IDs the other
// side already has (docker load skips a layer whose chain ID exists there).
import { chainIds } from './chain.js';

export interface LayerPlan {
  diffIds: string[];
  chains: string[];
  /** Per layer: does the target already have it (its chain ID)? */
  present: boolean[];
  /** Diff IDs whose layer file must be in the tarball (a layer file serves every equal diff ID). */
  send: Set<string>;
  /** Layers the target lacks. */
  missing: number;
}

export function planLayers(diffIds: readonly string[], targetChains: ReadonlySet<string>): LayerPlan {
  const chains = chainIds(diffIds);
  const present = chains.map((c) => targetChains.has(c));
  const send = new Set(diffIds.filter((_, i) => !present[i]));
  return { diffIds: [...diffIds], chains, present, send, missing: present.filter((p) => !p).length };
}

/** Everything must travel (the target cannot take a partial image). */
export function planWhole(diffIds: readonly string[]): LayerPlan {
  return planLayers(diffIds, new Set());
}

/**
 * Layer sizes, bottom first, from `docker history` (newest first): the steps that added bytes
 * are the layers. Content bytes, so a little under the layer.tar sizes. Empty-diff layers make
 * fewer such steps than layers; then the top ones are matched and the rest count as 0.
 */
export function layerSizesFromHistory(layerCount: number, history: readonly { size: number }[]): number[] {
  const adding = history.filter((h) => h.size > 0).map((h) => h.size).reverse();
  const sizes = new Array<number>(layerCount).fill(0);
  const n = Math.min(layerCount, adding.length);
  for (let k = 1; k <= n; k++) sizes[layerCount - k] = adding[adding.length - k];
  return sizes;
}

/** About how many layer bytes the plan sends. */
export function estimateSend(plan: LayerPlan, sizes: readonly number[]): number {
  let sum = 0;
  const counted = new Set<string>();
  plan.diffIds.forEach((d, i) => {
    if (plan.send.has(d) && !counted.has(d)) {
      counted.add(d);
      sum += sizes[i] ?? 0;
    }
  });
  return sum;
}
