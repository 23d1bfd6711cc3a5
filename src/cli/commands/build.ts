import type { Command } from '@commander-js/extra-typings';
import { configOption, jsonOption, offlineOption } from '../shared.js';
import { withContext } from '../context.js';
import { loadWorkspace } from '../../config/load.js';
import { printJson, progressPrinter, say } from '../output.js';
import { buildWorkspaceImage } from '../../workspace/build.js';

export function define(program: Command): void {
  program
    .command('build')
    .description("build the workspace's image (your Dockerfile, or one generated from repo2docker's files)")
    .addOption(configOption())
    .addOption(offlineOption())
    .option('--no-cache', 'do not reuse cached layers')
    .option('--pull', 'try to pull a newer base image')
    .addOption(jsonOption())
    .action(async (opts) =>
      withContext({ sweep: true, interruptible: true }, async (ctx) => {
      const spec = loadWorkspace({ config: opts.config });
      const engine = ctx.engine;
      const result = await buildWorkspaceImage(engine, spec, {
          offline: opts.offline,
          noCache: opts.cache === false,
          pull: opts.pull,
          signal: ctx.signal,
          onProgress: progressPrinter(!!opts.json),
        });
      if (opts.json) printJson(result);
      else say(`Built ${result.image} (${result.imageId.slice(7, 19)}) in ${result.seconds.toFixed(1)} s from ${result.dockerfile}.`);
    }));
}
