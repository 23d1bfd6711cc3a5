import type { Command } from '@commander-js/extra-typings';
import { configOption, jsonOption } from '../shared.js';
import { info, printJson, progressPrinter, say } from '../output.js';
import { loadWorkspace } from '../../config/load.js';
import { connectEngine } from '../../engine/index.js';
import { pullImage } from '../../workspace/push.js';
import { sweepTemporaries } from '../../workspace/janitor.js';
import { currentRef } from '../../workspace/save/target.js';

export function define(program: Command): void {
  program
    .command('pull')
    .description('pull a saved image from its registry with the credentials of your Docker config')
    .argument('[image]', "image to pull (default: this workspace's commit.repo/commit.name:latest)")
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (image, opts) => {
      const ref = image ?? currentRef(loadWorkspace({ config: opts.config }));
      const engine = await connectEngine();
      await sweepTemporaries(engine).catch(() => {});
      if (!opts.json) info(`pulling ${ref}`);
      const r = await pullImage(engine, ref, { onProgress: progressPrinter(!!opts.json) });
      if (opts.json) printJson(r);
      else say(`Pulled ${r.refs[0]} (${r.imageId.slice(7, 19)}) from ${r.registry} in ${r.seconds.toFixed(1)} s.`);
    });
}
