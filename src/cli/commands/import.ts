import type { Command } from '@commander-js/extra-typings';
import { withContext } from '../context.js';
import { jsonOption } from '../shared.js';
import { printJson, say } from '../output.js';
import { importImage } from '../../transfer/import.js';

export function define(program: Command): void {
  program
    .command('import')
    .description('load an image tarball from `transferctl export` or `docker save`, checking its base is here first')
    .argument('<file>', '.tar, .tar.gz or .tar.zst')
    .option('--engine <url>', 'the engine to load into (DOCKER_HOST-style URL)')
    .option('--force', 'move a tag here that names an image transferctl did not make')
    .addOption(jsonOption())
    .action(async (file, opts) =>
      withContext({ engineUrl: opts.engine, interruptible: true }, async (ctx) => {
      const engine = opts.engine ? ctx.engine : await ctx.connect();
      const r = await importImage({ engine, file, force: opts.force, signal: ctx.signal });
      if (opts.json) return printJson(r);
      for (const i of r.images) {
        say(`Loaded ${i.repoTags.join(', ') || i.imageId.slice(7, 19)} (${i.layersInFile} of ${i.layers} layers came from the file).`);
      }
    }));
}
