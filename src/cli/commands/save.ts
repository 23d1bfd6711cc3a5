import type { Command } from '@commander-js/extra-typings';
import { configOption, jsonOption } from '../shared.js';
import { workspaceContext } from '../context.js';
import { withInterrupt } from '../interrupt.js';
import { info, printJson, say, warn } from '../output.js';
import { save } from '../../workspace/save/index.js';
import { renderSnapshot } from './commit.js';

export function define(program: Command): void {
  program
    .command('save')
    .description('save the environment and the workspace folder (under /archive) into the image; later saves add only what changed')
    .addOption(configOption())
    .option('-t, --tag <tag>', 'tag to write (default: commit.tag, or a timestamp and "latest")')
    .option('--env', 'record the environment again even if `docker diff` looks unchanged')
    .option('--force', 'move a tag that transferctl did not create')
    .addOption(jsonOption())
    .action(async (opts) => {
      const { spec, engine } = await workspaceContext(opts, { hostDir: true, sweep: false });
      const r = await withInterrupt((signal) =>
        save(engine, spec, { tag: opts.tag, forceEnv: opts.env, force: opts.force, signal, onStep: opts.json ? undefined : info }),
      );
      for (const s of r.skipped) warn(`not saved (not a file, folder or symlink): ${s}`);
      if (opts.json) printJson(r);
      else say(renderSnapshot(r));
    });
}
