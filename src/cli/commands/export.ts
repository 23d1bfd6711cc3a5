import { Option, type Command } from '@commander-js/extra-typings';
import { withContext } from '../context.js';
import { jsonOption } from '../shared.js';
import { info, printJson, say } from '../output.js';
import { exportImage } from '../../transfer/export.js';
import { compressionFor } from '../../transfer/compress.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function define(program: Command): void {
  program
    .command('export')
    .description('write images to one tarball (shared layers once), leaving out the layers that named base images hold')
    .argument('<image...>', 'image names or IDs')
    .requiredOption('-o, --output <file>', 'the tarball to write (.tar, .tar.gz; .tar.zst where Node has zstd)')
    .addOption(new Option('--without <base>', 'leave out the layers this base image holds (repeatable)').argParser(collect))
    .addOption(new Option('--compress <kind>', 'none, gzip or zstd (default: from the file name)'))
    .option('--engine <url>', 'the engine to export from (DOCKER_HOST-style URL)')
    .option('--force', 'overwrite the output file')
    .addOption(jsonOption())
    .action(async (images, opts) =>
      withContext({ engineUrl: opts.engine, interruptible: true }, async (ctx) => {
      const compression = compressionFor(opts.output, opts.compress);
      const engine = opts.engine ? ctx.engine : await ctx.connect();
      const r = await exportImage({ engine, images, output: opts.output, without: opts.without, compression, force: opts.force, signal: ctx.signal });
      if (opts.json) return printJson(r);
      for (const n of r.notes) info(n);
      const without = r.bases.length ? ` (without ${r.bases.map((b) => b.ref).join(', ')}: ${r.layers.leftOut} layers left out)` : '';
      const names = r.images.map((i) => i.image).join(', ');
      say(`Wrote ${r.file}: ${names}, ${r.layers.included} of ${r.layers.total} layers, ${(r.bytes / 1e6).toFixed(1)} MB${without}.`);
    }));
}
