// transferctl.json: the first entry of an export file. It names, per image, the layers the file
// leaves out and the base images that hold them, so `import` can check before loading.
// `docker load` ignores it (it reads manifest.json), so the file stays a plain docker tarball.
// Format 1 described one image (fields at the top); format 2 lists several under `images`.
import { chainIds } from './chain.js';

export const META_NAME = 'transferctl.json';
export const META_FORMAT = 'transferctl-export/2';
const META_FORMAT_1 = 'transferctl-export/1';

export interface MetaImage {
  image: string;
  imageId: string;
  repoTags: string[];
  diffIds: string[];
  /** Per layer: is its file in this tarball? */
  included: boolean[];
}

export interface ExportMeta {
  format: typeof META_FORMAT;
  images: MetaImage[];
  bases: { ref: string; id: string }[];
  tool: string;
}

/** The chain IDs the target must already have: one per layer left out. */
export function requiredChains(diffIds: readonly string[], included: readonly boolean[]): string[] {
  const chains = chainIds(diffIds);
  return chains.filter((_, i) => !included[i]);
}

const isImage = (i: unknown): i is MetaImage =>
  !!i && typeof (i as MetaImage).imageId === 'string' && Array.isArray((i as MetaImage).diffIds) && Array.isArray((i as MetaImage).included);

/** Either format → format 2; undefined when the text is not transferctl's description. */
export function parseMeta(text: string): ExportMeta | undefined {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!m || typeof m !== 'object') return undefined;
  const bases = Array.isArray(m.bases) ? (m.bases as ExportMeta['bases']) : [];
  const tool = typeof m.tool === 'string' ? m.tool : '';
  if (m.format === META_FORMAT_1 && isImage(m)) {
    const { image, imageId, repoTags, diffIds, included } = m as unknown as MetaImage;
    return { format: META_FORMAT, images: [{ image, imageId, repoTags: repoTags ?? [], diffIds, included }], bases, tool };
  }
  if (m.format === META_FORMAT && Array.isArray(m.images) && m.images.length > 0 && m.images.every(isImage)) {
    return { format: META_FORMAT, images: m.images as MetaImage[], bases, tool };
  }
  return undefined;
}
