import type { Command } from '@commander-js/extra-typings';
import { withContext } from '../context.js';
import { jsonOption } from '../shared.js';
import { info, printJson, progressPrinter, say } from '../output.js';
import { createBase, loadBase } from '../../workspace/base-create.js';

export function define(program: Command): void {
  const base = program.command('base').description('make or load a Jupyter base image without a registry');
  base
    .command('create')
    .description('debootstrap a Debian base and build JupyterLab on it from Debian packages (needs root)')
    .option('--suite <suite>', 'trixie (JupyterLab 4) or bookworm (notebook 6)', 'trixie')
    .option('--mirror <url>', 'Debian mirror', 'http://deb.debian.org/debian')
    .option('--no-jupyter', 'only the Debian base image')
    .option('--refresh', 'debootstrap again instead of reusing the cached root filesystem')
    .addOption(jsonOption())
    .action(async (opts) =>
      withContext({ interruptible: true }, async (ctx) => {
      const engine = await ctx.connect();
      const r = await createBase(engine, {
          suite: opts.suite,
          mirror: opts.mirror,
          jupyter: opts.jupyter,
          reuse: !opts.refresh,
          signal: ctx.signal,
          onStep: opts.json ? undefined : info,
          onProgress: progressPrinter(!!opts.json),
        });
      if (opts.json) return printJson(r);
      say(`Base images ready: ${[r.debian, r.jupyter].filter(Boolean).join(', ')}.`);
    }));
  base
    .command('load')
    .description('load an image tarball (docker save / transferctl export; .tar or .tar.gz)')
    .argument('<file>')
    .addOption(jsonOption())
    .action(async (file, opts) =>
      withContext({}, async (ctx) => {
      const engine = await ctx.connect();
      let last = -1;
      const loaded = await loadBase(engine, file, {
        onBytes: (done, total) => {
          const pct = Math.floor((done / total) * 100);
          if (!opts.json && pct !== last && pct % 10 === 0) {
            last = pct;
            info(`loading ${file}: ${pct}% of ${(total / 1e6).toFixed(1)} MB`);
          }
        },
      });
      if (opts.json) return printJson({ loaded });
      say(`Loaded ${loaded.join(', ')}.`);
    }));
}
