// Which image a new snapshot layer goes on top of. Plain data in, plain data out.
//
// Layer order of a saved image: [workspace image] [env + archive] [delta] [delta] …
// The common case — only files changed — puts one small layer on the previous save. The
// environment (packages installed in the container) is recorded relative to the container's
// image; when it changed, its difference goes into that same new layer, so the archive
// layers below stay as they are. A fresh base (the container's image) is used when the
// previous save does not descend from it (image rebuilt, another archive path), for `commit`,
// and to squash once the archive layers pass the limit.
import type { ImageDetails } from '../../engine/index.js';
import { S, type SnapshotKind } from './labels.js';

export interface BaseInput {
  kind: SnapshotKind;
  /** The image at the target tag now (if transferctl made it). */
  previous: ImageDetails | null;
  /** The workspace container's image (or the workspace image when there is no container). */
  containerImage: ImageDetails;
  hasContainer: boolean;
  archivePath: string;
  squashAfter: number;
}

export interface BaseChoice {
  base: ImageDetails;
  /** "previous": one layer on the previous save; "fresh": on the container's image. */
  mode: 'previous' | 'fresh';
  /** Read the env record of `base` (it is relative to the same image as the container's). */
  readEnvRecord: boolean;
  /** `base` holds an archive whose manifest the new layer is a delta against. */
  baseHasArchive: boolean;
  /** Archive layers in `base` (the new image has one more when files are written). */
  archiveLayers: number;
  squashed: boolean;
  why: string;
}

const isSave = (img: ImageDetails | null, archivePath: string) => !!img && img.labels[S.kind] === 'save' && (img.labels[S.archivePath] ?? '/archive') === archivePath;
const layersOf = (img: ImageDetails) => Number(img.labels[S.archiveLayers] ?? '1') || 1;

export function chooseBase(input: BaseInput): BaseChoice {
  const { previous, containerImage: ci, archivePath } = input;
  const ciIsSave = isSave(ci, archivePath);
  const fresh = (why: string, squashed = false): BaseChoice => ({
    base: ci,
    mode: 'fresh',
    readEnvRecord: false,
    baseHasArchive: input.kind === 'save' && ciIsSave,
    archiveLayers: ciIsSave ? layersOf(ci) : 0,
    squashed,
    why,
  });
  if (input.kind === 'commit') return fresh('commit starts from the container\'s image');
  const candidate = isSave(previous, archivePath) ? previous! : ciIsSave ? ci : null;
  if (!candidate) return fresh(previous ? 'the image at the target tag is not a save with this archive path' : 'first save');
  const related = !input.hasContainer || candidate.labels[S.envBase] === ci.id || candidate.id === ci.id;
  if (!related) return fresh('the previous save was made from another image (rebuilt?)');
  if (layersOf(candidate) + 1 > input.squashAfter && candidate.id !== ci.id) {
    return fresh(`${layersOf(candidate)} archive layers: squashed into one`, true);
  }
  return {
    base: candidate,
    mode: 'previous',
    readEnvRecord: input.hasContainer && candidate.labels[S.envBase] === ci.id,
    baseHasArchive: true,
    archiveLayers: layersOf(candidate),
    squashed: false,
    why: 'only the changes since the previous save',
  };
}
