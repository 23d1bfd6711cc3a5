import type { Command } from '@commander-js/extra-typings';
import { configOption, jsonOption } from '../shared.js';
import { withContext } from '../context.js';
import { loadWorkspace } from '../../config/load.js';
import { printJson, say } from '../output.js';
import { remove } from '../../workspace/lifecycle.js';

export function define(program: Command): void {
  program
    .command('rm')
    .alias('delete')
    .description("remove the workspace's container (your folder is never touched)")
    .addOption(configOption())
    .option('--image', "also remove the workspace's image (only one transferctl built for it)")
    .option('--force', 'remove a container of that name even if transferctl did not create it for this workspace')
    .addOption(jsonOption())
    .action(async (opts) =>
      withContext({ sweep: true }, async (ctx) => {
      const spec = loadWorkspace({ config: opts.config });
      const engine = ctx.engine;
      const r = await remove(engine, spec, { image: opts.image, force: opts.force });
      if (opts.json) printJson(r);
      else {
        say(r.removed ? `Removed container ${r.container}.` : `${r.container} does not exist; nothing to remove.`);
        if (r.imageRemoved) say(`Removed image ${r.imageRemoved}.`);
        if (r.environmentRemoved?.length) say(`Removed its environment ${r.environmentRemoved.join(', ')}.`);
      }
    }));
}
