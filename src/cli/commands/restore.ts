import type { Command } from '@commander-js/extra-typings';
import { withContext } from '../context.js';
import { configOption, jsonOption } from '../shared.js';
import { info, printJson, progressPrinter, say } from '../output.js';
import { loadWorkspace } from '../../config/load.js';
import { currentRef, restore } from '../../workspace/save/index.js';

export function define(program: Command): void {
  program
    .command('restore')
    .description("bring a saved image's workspace folder back into a host folder (pulled first when it is not here); every file is checked against the manifest")
    .argument('[image]', "saved image (default: this workspace's latest save)")
    .argument('[dir]', "target folder, new or empty (default: this workspace's host folder)")
    .addOption(configOption())
    .option('--force', 'restore into a folder that is not empty (top-level entries named as in the archive are replaced whole; others stay)')
    .addOption(jsonOption())
    .action(async (image, dir, opts) =>
      withContext({ sweep: true }, async (ctx) => {
      const needSpec = !image || !dir;
      const spec = needSpec ? loadWorkspace({ config: opts.config }) : undefined;
      const engine = await ctx.connect();
      const r = await restore(engine, {
        image: image ?? currentRef(spec!),
        dir: dir ?? spec!.volume.hostDir,
        force: opts.force,
        onStep: opts.json ? undefined : info,
        swept: ctx.swept,
        onProgress: progressPrinter(!!opts.json),
      });
      if (opts.json) printJson(r);
      else say(`Restored ${r.files} files (${(r.bytes / 1e6).toFixed(1)} MB), ${r.dirs} folders and ${r.symlinks} symlinks from ${r.image} into ${r.dir}; all match the manifest (${r.seconds.toFixed(1)} s).`);
    }));
}
