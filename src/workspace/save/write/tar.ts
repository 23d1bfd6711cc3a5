// The tar write: the temporary container deletes what goes, the environment's changes are put
// in, then the folder's files and the new manifest stream in through the Engine API (any
// engine, local or remote); the container is committed as the new layer.
import { MANIFEST_NAME } from '../labels.js';
import { manifestWith } from '../archive-layer.js';
import { packArchive } from '../pack.js';
import { runInTemporary } from '../temp-container.js';
import { announceCopy, commitTemporary, type WriteContext, type WriteMethod, type Written } from './method.js';

async function write(ctx: WriteContext): Promise<Written> {
  const { engine, tempId, archive } = ctx;
  if (!archive) throw new Error('the tar write needs a folder to write');
  const { work, tally } = archive;
  announceCopy(ctx, tally.written);
  await runInTemporary(engine, tempId, ctx.step.removals, ctx.lists);
  if (ctx.step.env === 'with') await ctx.copyEnvironment();
  let manifest: Buffer | undefined;
  const pack = packArchive({
    root: ctx.hostDir,
    prefix: ctx.archivePath.slice(1),
    entries: work.write,
    manifestName: MANIFEST_NAME,
    finish: (hashes) => (manifest = manifestWith(work, hashes, tally)),
  });
  await Promise.all([engine.containers.putArchive(tempId, '/', pack.stream), pack.done]);
  return commitTemporary(ctx, manifest!);
}

export const tarWrite: WriteMethod = { name: 'tar', write };
