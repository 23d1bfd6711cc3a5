// The one interface every way of writing a snapshot's new layer implements (plan.ts chooses
// which: load.ts, copy.ts, tar.ts or environment.ts), what each is given, and the end the
// three that write through the temporary container share: mark the stage, commit it.
import type { Engine, ImageConfigSpec, ImageDetails } from '../../../engine/index.js';
import { archiveLabels, type ArchiveTally, type ArchiveWork } from '../archive-layer.js';
import type { MethodName, SaveStage, WriteStep } from '../plan.js';

export interface WriteContext {
  engine: Engine;
  /** The temporary container on the base: created, not started. */
  tempId: string;
  /** This method's step of the plan: what to delete first, where the environment goes. */
  step: WriteStep;
  hostDir: string;
  archivePath: string;
  /** A save's folder part: its plan, the figures the write completes, hashes begun early. */
  archive?: { work: ArchiveWork; tally: ArchiveTally; hashes?: Promise<Map<string, string>> };
  /** The host folder with the temporary container's lists (local engines). */
  lists?: string;
  /** The image the new layer goes on. */
  base: ImageDetails;
  /** The new image's labels so far (the archive's are added once its manifest is made). */
  labels: Record<string, string>;
  /** "transferctl save" / "transferctl commit": how the image history names the layer. */
  createdBy: string;
  /** Copy the environment's changes into the temporary container. */
  copyEnvironment(): Promise<void>;
  /** Commit the temporary container with these labels; the new image's ID. */
  commit(labels: Record<string, string>): Promise<string>;
  /** The new image's config with these labels (a loaded layer carries it itself). */
  config(labels: Record<string, string>): ImageConfigSpec;
  /** Report a stage (onStage); throws when the save was cancelled meanwhile. */
  reached(stage: SaveStage): Promise<void>;
  /** A progress line for the user. */
  say(message: string): void;
}

export interface Written {
  /** The new image (untagged). */
  imageId: string;
  /** The manifest written into the archive (kept on this machine once tagged). */
  manifest?: Buffer;
}

export interface WriteMethod {
  readonly name: MethodName;
  write(ctx: WriteContext): Promise<Written>;
}

/** "copying N file(s) into /archive, removing M path(s)": the copy and the tar stream say it. */
export function announceCopy(ctx: WriteContext, written: number): void {
  const { removals } = ctx.step;
  ctx.say(`copying ${written} file(s) into ${ctx.archivePath}${removals.length ? `, removing ${removals.length} path(s)` : ''}`);
}

/** The temporary container holds the new layer: commit it (with the archive's labels). */
export async function commitTemporary(ctx: WriteContext, manifest?: Buffer): Promise<Written> {
  await ctx.reached('copied');
  ctx.say('committing');
  const labels = ctx.archive ? { ...ctx.labels, ...archiveLabels(ctx.archivePath, ctx.archive.tally) } : ctx.labels;
  return { imageId: await ctx.commit(labels), manifest };
}
