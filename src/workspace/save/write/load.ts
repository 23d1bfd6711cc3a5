// The load write: the folder's layer goes into the engine as a partial `docker load`
// (layer-load.ts) built from the planned entries alone; nothing is copied into the temporary
// container for it and nothing committed. The environment's changes, when any, are committed
// first from the temporary container, as a layer below it (then that untagged image goes: the
// loaded one holds its layer). An engine that cannot load a partial image throws
// PartialLoadUnsupported, and the plan's fallback writes through the same container.
import { MANIFEST_NAME } from '../labels.js';
import { archiveLabels, assertWrittenUnchanged, manifestFor } from '../archive-layer.js';
import { loadLayer } from '../layer-load.js';
import { runInTemporary } from '../temp-container.js';
import type { WriteContext, WriteMethod, Written } from './method.js';

async function write(ctx: WriteContext): Promise<Written> {
  const { engine, archive, archivePath, hostDir } = ctx;
  if (!archive) throw new Error('the load write needs a folder to write');
  const { work, tally } = archive;
  let below = ctx.base;
  let envImageId: string | undefined;
  try {
    if (ctx.step.env === 'below') {
      await runInTemporary(engine, ctx.tempId, ctx.step.removals, ctx.lists);
      await ctx.copyEnvironment();
      envImageId = await ctx.commit(ctx.labels);
      below = (await engine.images.inspect(envImageId)) ?? ctx.base;
    }
    ctx.say(`writing ${tally.written} file(s) into ${archivePath}${work.remove.length ? `, removing ${work.remove.length} path(s)` : ''}`);
    const manifest = await manifestFor(work, hostDir, tally);
    await ctx.reached('copied');
    const labels = { ...ctx.labels, ...archiveLabels(archivePath, tally) };
    const imageId = await loadLayer(engine, {
      root: hostDir,
      prefix: archivePath.slice(1),
      entries: work.write,
      removed: work.remove,
      manifestName: MANIFEST_NAME,
      manifest,
      now: new Date(),
      base: below,
      config: ctx.config(labels),
      createdBy: `${ctx.createdBy}: ${tally.written} file(s) into ${archivePath}`,
    });
    assertWrittenUnchanged(hostDir, work);
    return { imageId, manifest };
  } finally {
    if (envImageId) await engine.images.remove(envImageId).catch(() => {});
  }
}

export const loadWrite: WriteMethod = { name: 'load', write };
