// What an image tarball holds (docker save, either layout, or a transferctl export):
// the pure reading of manifest.json + configs + entry names.
import { UserError } from '../errors.js';

export interface ArchivedImage {
  imageId: string;
  repoTags: string[];
  diffIds: string[];
  /** Per layer: is its file in the tarball? */
  included: boolean[];
}

interface ManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

export function parseManifest(text: string, file: string): ManifestEntry[] {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw new UserError(`${file}: manifest.json is not JSON`, { hint: 'the file should come from `docker save` or `transferctl export`' });
  }
  if (!Array.isArray(m) || !m.every((e) => e && typeof e.Config === 'string' && Array.isArray(e.Layers))) {
    throw new UserError(`${file}: manifest.json does not describe images`, { hint: 'the file should come from `docker save` or `transferctl export`' });
  }
  return m as ManifestEntry[];
}

/** "abc….json" (Docker ≤24) or "blobs/sha256/abc…" (Docker 25+) → "sha256:abc…". */
export function imageIdFromConfigPath(path: string): string {
  const hex = /([0-9a-f]{64})(\.json)?$/.exec(path)?.[1];
  return hex ? `sha256:${hex}` : path;
}

export function describeArchive(
  input: { manifest: string; files: ReadonlyMap<string, string>; entries: ReadonlySet<string> },
  file: string,
): ArchivedImage[] {
  return parseManifest(input.manifest, file).map((e) => {
    const configText = input.files.get(e.Config);
    if (!configText) throw new UserError(`${file}: the image config ${e.Config} is missing`, { hint: 'the file is damaged or incomplete' });
    const diffIds = (JSON.parse(configText) as { rootfs?: { diff_ids?: string[] } }).rootfs?.diff_ids ?? [];
    if (diffIds.length !== e.Layers.length) {
      throw new UserError(`${file}: ${e.Config} lists ${diffIds.length} layers but manifest.json ${e.Layers.length}`, { hint: 'the file is damaged' });
    }
    return {
      imageId: imageIdFromConfigPath(e.Config),
      repoTags: e.RepoTags ?? [],
      diffIds,
      included: e.Layers.map((l) => input.entries.has(l)),
    };
  });
}
