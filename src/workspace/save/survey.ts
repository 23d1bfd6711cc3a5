// What a snapshot starts from, looked at before anything is made: the workspace's container
// (found while the janitor's sweep finishes and the folder is read), the image it runs, the image at the
// target tag, and which of them the new layer goes on (base.ts).
import { UserError } from '../../errors.js';
import type { ContainerDetails, Engine, ImageDetails } from '../../engine/index.js';
import type { WorkspaceSpec } from '../../config/types.js';
import { debug } from '../../log.js';
import { findWorkspaceContainer, foreignContainerError } from '../find.js';
import { isManaged } from '../../labels.js';
import { chooseBase, type BaseChoice } from './base.js';
import { observeEnvironment, type EnvSeen } from './env-detect.js';
import type { SnapshotKind } from './labels.js';
import { scanFolder, type ScanResult } from './scan.js';
import { archivePathOf, currentRef, squashAfterOf } from './target.js';

const log = debug('save');

export interface SurveyRequest {
  kind: SnapshotKind;
  tag?: string;
  force?: boolean;
  /** Settles when the sweep of killed runs' leftovers is done (cli/context.ts); awaited before the container is looked for. */
  swept?: Promise<void>;
  say: (message: string) => void;
}

export interface Survey {
  archivePath: string;
  /** The folder as read at the start (a save). */
  scan?: ScanResult;
  container: ContainerDetails | null;
  /** What changed in the container since its image: asked at once, awaited by the env decision. */
  envSeen: Promise<EnvSeen> | null;
  containerImage: ImageDetails;
  choice: BaseChoice;
}

async function previousImage(engine: Engine, ref: string, force?: boolean): Promise<ImageDetails | null> {
  const img = await engine.images.inspect(ref);
  if (img && !isManaged(img.labels) && !force) {
    throw new UserError(`the tag ${ref} belongs to an image transferctl did not make`, {
      hint: 'choose another commit.name / commit.tag, or pass --force to move that tag anyway (the image itself is kept)',
    });
  }
  return img;
}

export async function survey(engine: Engine, spec: WorkspaceSpec, req: SurveyRequest): Promise<Survey> {
  // A leftover temporary container is never taken for the workspace's (find.ts), so the two
  // run together; the folder is read (synchronously) while the engine answers both.
  const finding = findWorkspaceContainer(engine, spec);
  finding.catch(() => {});
  const archivePath = archivePathOf(spec);
  if (req.kind === 'save') req.say(`reading ${spec.volume.hostDir}`);
  const scan = req.kind === 'save' ? scanFolder(spec.volume.hostDir) : undefined;
  await req.swept;
  const found = await finding;
  if (found.kind === 'foreign') throw foreignContainerError(spec, found.container);
  const container = found.kind === 'ours' ? found.container : null;
  if (!container && req.kind === 'commit') {
    throw new UserError(`workspace ${spec.identity} has no container to commit`, { hint: 'start it with `transferctl up`, install what you need, then commit' });
  }
  const envSeen = container ? observeEnvironment(engine, container, { mountPoint: spec.volume.mountPoint, archivePath, mounts: container.mounts.map((m) => m.destination) }) : null;
  envSeen?.catch(() => {});
  const containerImage = await engine.images.inspect(container?.imageId ?? spec.image.name);
  if (!containerImage) {
    throw new UserError(`workspace ${spec.identity} has neither a container nor its image ${spec.image.name}`, { hint: 'run `transferctl up` first' });
  }
  const previous = await previousImage(engine, currentRef(spec, req.tag), req.force);
  const choice = chooseBase({
    kind: req.kind,
    previous,
    containerImage,
    hasContainer: !!container,
    archivePath,
    squashAfter: squashAfterOf(spec),
  });
  log(`base ${choice.mode} ${choice.base.id.slice(7, 19)}: ${choice.why}`);
  return { archivePath, scan, container, envSeen, containerImage, choice };
}
