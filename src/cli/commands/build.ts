import type { Command } from '@commander-js/extra-typings';
import { configOption, jsonOption, offlineOption } from '../shared.js';
import { withContext } from '../context.js';
import { loadWorkspace } from '../../config/load.js';
import { info, printJson, progressPrinter, say } from '../output.js';
import { buildWorkspaceImage } from '../../workspace/build.js';

export function define(program: Command): void {
  program
    .command('build')
    .description("build the workspace's image (your Dockerfile, or one generated from repo2docker's files)")
    .addOption(configOption())
    .addOption(offlineOption())
    .option('--no-cache', 'do not reuse cached layers')
    .option('--pull', 'try to pull a newer base image')
    .option('--push-cache', 'push the environment image to image.cache-repo (or <commit.repo>/<name>-env) for other machines to pull')
    .addOption(jsonOption())
    .action(async (opts) =>
      withContext({ sweep: true, interruptible: true }, async (ctx) => {
      const spec = loadWorkspace({ config: opts.config });
      const engine = ctx.engine;
      const result = await buildWorkspaceImage(engine, spec, {
          offline: opts.offline,
          noCache: opts.cache === false,
          pull: opts.pull,
          pushCache: opts.pushCache,
          signal: ctx.signal,
          onProgress: progressPrinter(!!opts.json),
          onStep: opts.json ? undefined : info,
        });
      if (opts.json) printJson(result);
      else {
        const how = result.cache === 'built' ? 'built' : result.cache === 'pulled' ? 'pulled' : 'found on this engine';
        say(`Built ${result.image} (${result.imageId.slice(7, 19)}) in ${result.seconds.toFixed(1)} s from ${result.dockerfile}; environment ${how}${result.hashTag ? ` (${result.hashTag})` : ''}${result.pushed ? ', pushed' : ''}.`);
      }
    }));
}
