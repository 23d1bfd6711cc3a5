// A commit's layer (no folder to write): the temporary container deletes what the environment
// removed, the environment's changes are put in, and it is committed.
import { runInTemporary } from '../temp-container.js';
import { commitTemporary, type WriteContext, type WriteMethod, type Written } from './method.js';

async function write(ctx: WriteContext): Promise<Written> {
  await runInTemporary(ctx.engine, ctx.tempId, ctx.step.removals, ctx.lists);
  if (ctx.step.env === 'with') await ctx.copyEnvironment();
  return commitTemporary(ctx);
}

export const environmentWrite: WriteMethod = { name: 'environment', write };
