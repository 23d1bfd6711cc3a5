// Decide, entry by entry, what of a `docker save` stream goes into the partial tarball.
// Two layouts: Docker 20.10–24 writes `<v1id>/layer.tar` (+ VERSION, json); Docker 25+ writes
// the OCI layout, where an uncompressed layer is `blobs/sha256/<diffID hex>`.
import { legacyLayerDirs } from './chain.js';

/** keep / drop, or unknown: hash the layer and decide by its diff ID at the end. */
export type Decision = 'keep' | 'drop' | 'unknown';

export interface LayerSelector {
  /** Note a legacy `<dir>/json` (it comes before `<dir>/layer.tar` in the stream). */
  noteJson(path: string, text: string): void;
  decide(path: string): Decision;
  /** Is this entry a layer file (or a link to one)? */
  isLayer(path: string): boolean;
  /** The decision for a layer whose diff ID was found by hashing it. */
  decideByDiffId(diffId: string): 'keep' | 'drop';
  /** The diff ID of a layer file, when its path tells (else it must be hashed). */
  diffIdOf(path: string): string | undefined;
}

const LEGACY_LAYER = /^([0-9a-f]{64})\/layer\.tar$/;
const LEGACY_JSON = /^([0-9a-f]{64})\/json$/;
const OCI_BLOB = /^blobs\/sha256\/([0-9a-f]{64})$/;

export function layerSelector(diffIds: readonly string[], send: ReadonlySet<string>): LayerSelector {
  const dirs = legacyLayerDirs(diffIds);
  const index = new Map(dirs.map((d, i) => [d, i]));
  const topParent = dirs.length ? `${dirs[dirs.length - 1]}` : '';
  const allDiffs = new Set(diffIds);
  const byDiff = (d: string): 'keep' | 'drop' => (send.has(d) ? 'keep' : 'drop');
  return {
    noteJson(path, text) {
      const dir = LEGACY_JSON.exec(path)?.[1];
      if (!dir || index.has(dir)) return;
      let parent: string | undefined;
      try {
        parent = (JSON.parse(text) as { parent?: string }).parent;
      } catch {
        return;
      }
      // The top layer: its parent is the layer below (or, for one layer, it has none).
      if ((parent ?? '') === topParent) index.set(dir, diffIds.length - 1);
    },
    decide(path) {
      const legacy = LEGACY_LAYER.exec(path)?.[1];
      if (legacy) {
        const i = index.get(legacy);
        return i === undefined ? 'unknown' : byDiff(diffIds[i]);
      }
      const blob = OCI_BLOB.exec(path)?.[1];
      if (blob && allDiffs.has(`sha256:${blob}`)) return byDiff(`sha256:${blob}`);
      return 'keep';
    },
    isLayer(path) {
      if (LEGACY_LAYER.test(path)) return true;
      const blob = OCI_BLOB.exec(path)?.[1];
      return !!blob && allDiffs.has(`sha256:${blob}`);
    },
    decideByDiffId: byDiff,
    diffIdOf(path) {
      const legacy = LEGACY_LAYER.exec(path)?.[1];
      if (legacy) {
        const i = index.get(legacy);
        return i === undefined ? undefined : diffIds[i];
      }
      const blob = OCI_BLOB.exec(path)?.[1];
      return blob && allDiffs.has(`sha256:${blob}`) ? `sha256:${blob}` : undefined;
    },
  };
}

/**
 * One selector for a `docker save` of several images: a path is decided by the image that
 * knows it (each finds its own top layer); a path no image knows is hashed ('unknown').
 */
export function imagesSelector(images: readonly (readonly string[])[], send: ReadonlySet<string>): LayerSelector {
  const parts = images.map((diffIds) => layerSelector(diffIds, send));
  return {
    noteJson: (path, text) => parts.forEach((p) => p.noteJson(path, text)),
    decide(path) {
      const knowing = parts.filter((p) => p.isLayer(path));
      if (knowing.length === 0) return 'keep';
      const decided = knowing.map((p) => p.decide(path)).filter((d) => d !== 'unknown');
      if (decided.length === 0) return 'unknown';
      return decided.includes('keep') ? 'keep' : 'drop';
    },
    isLayer: (path) => parts.some((p) => p.isLayer(path)),
    decideByDiffId: (d) => (send.has(d) ? 'keep' : 'drop'),
    diffIdOf: (path) => parts.map((p) => p.diffIdOf(path)).find(Boolean),
  };
}
