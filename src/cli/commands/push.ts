import type { Command } from '@commander-js/extra-typings';
import { configOption, jsonOption } from '../shared.js';
import { info, printJson, progressPrinter, say } from '../output.js';
import { loadWorkspace } from '../../config/load.js';
import { connectEngine } from '../../engine/index.js';
import { pushImage } from '../../workspace/push.js';
import { sweepTemporaries } from '../../workspace/janitor.js';
import { currentRef } from '../../workspace/save/target.js';

export function define(program: Command): void {
  program
    .command('push')
    .description('push the saved image (all its tags in commit.repo/commit.name) with the credentials of your Docker config')
    .argument('[image]', "image to push (default: this workspace's latest save or commit)")
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (image, opts) => {
      const ref = image ?? currentRef(loadWorkspace({ config: opts.config }));
      const engine = await connectEngine();
      await sweepTemporaries(engine).catch(() => {});
      if (!opts.json) info(`pushing ${ref}`);
      const r = await pushImage(engine, ref, { onProgress: progressPrinter(!!opts.json) });
      if (opts.json) printJson(r);
      else say(`Pushed ${r.refs.join(', ')} to ${r.registry}${r.digest ? ` (${r.digest})` : ''} in ${r.seconds.toFixed(1)} s.`);
    });
}
