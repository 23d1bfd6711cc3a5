// What an export file of several images holds: plain data from their diff-ID lists and the
// base images named with --without. A layer file is written once however many images use it.
import { chainIds, chainSetOf } from './chain.js';
import { planLayers } from './plan.js';

export interface ExportPlan {
  /** Diff IDs whose layer file goes into the file. */
  send: Set<string>;
  /** Per image, per layer: is its file in the file? */
  included: boolean[][];
  /** Distinct layers (by chain ID) over all images: how many, how many in the file, how many left out. */
  counts: { total: number; included: number; leftOut: number };
  /** Bases that share no layer with any of the images (they leave nothing out). */
  unrelatedBases: string[];
}

export function exportPlan(images: readonly (readonly string[])[], bases: readonly { ref: string; layers: readonly string[] }[]): ExportPlan {
  const baseChains = chainSetOf(bases.map((b) => b.layers));
  const plans = images.map((diffIds) => planLayers(diffIds, baseChains));
  const send = new Set(plans.flatMap((p) => [...p.send]));
  const included = plans.map((p) => p.diffIds.map((d, i) => !p.present[i] || send.has(d)));
  const byChain = new Map<string, boolean>();
  plans.forEach((p, k) => p.chains.forEach((c, i) => byChain.set(c, included[k][i])));
  const inFile = [...byChain.values()].filter(Boolean).length;
  const firstChains = new Set(images.filter((d) => d.length > 0).map((d) => chainIds(d.slice(0, 1))[0]));
  const unrelatedBases = bases.filter((b) => ![...firstChains].some((c) => chainSetOf([b.layers]).has(c))).map((b) => b.ref);
  return { send, included, counts: { total: byChain.size, included: inFile, leftOut: byChain.size - inFile }, unrelatedBases };
}
