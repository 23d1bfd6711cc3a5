import type { Command } from '@commander-js/extra-typings';
import { jsonOption } from '../shared.js';
import { connectEngine, engineAt } from '../../engine/index.js';
import { withInterrupt } from '../interrupt.js';
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
    .action(async (file, opts) => {
      const engine = opts.engine ? engineAt(opts.engine, '--engine') : await connectEngine();
      const r = await withInterrupt((signal) => importImage({ engine, file, force: opts.force, signal }));
      if (opts.json) return printJson(r);
      for (const i of r.images) {
        say(`Loaded ${i.repoTags.join(', ') || i.imageId.slice(7, 19)} (${i.layersInFile} of ${i.layers} layers came from the file).`);
      }
    });
}
