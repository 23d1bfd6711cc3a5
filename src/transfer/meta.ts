// transferctl.json: the first entry of an export file. It names the layers the file leaves
// out and the base images that hold them, so `import` can check before loading.
// `docker load` ignores it (it reads manifest.json), so the file stays a plain docker tarball.
import { chainIds } from './chain.js';

export const META_NAME = 'transferctl.json';
export const META_FORMAT = 'transferctl-export/1';

export interface ExportMeta {
  format: typeof META_FORMAT;
  image: string;
  imageId: string;
  repoTags: string[];
  diffIds: string[];
  /** Per layer: is its file in this tarball? */
  included: boolean[];
  bases: { ref: string; id: string }[];
  tool: string;
}

/** The chain IDs the target must already have: one per layer left out. */
export function requiredChains(diffIds: readonly string[], included: readonly boolean[]): string[] {
  const chains = chainIds(diffIds);
  return chains.filter((_, i) => !included[i]);
}

export function parseMeta(text: string): ExportMeta | undefined {
  try {
    const m = JSON.parse(text) as ExportMeta;
    if (m.format !== META_FORMAT || !Array.isArray(m.diffIds) || !Array.isArray(m.included)) return undefined;
    return m;
  } catch {
    return undefined;
  }
}
