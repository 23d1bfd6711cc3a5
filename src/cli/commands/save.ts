import type { Command } from '@commander-js/extra-typings';
import { configOption, jsonOption } from '../shared.js';
import { withContext } from '../context.js';
import { loadWorkspace } from '../../config/load.js';
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
    .action(async (opts) =>
      withContext({ sweep: true, sweepAtEnd: true, interruptible: true }, async (ctx) => {
      const spec = loadWorkspace({ config: opts.config, needHostDir: true });
      const engine = ctx.engine;
      const r = await save(engine, spec, { tag: opts.tag, forceEnv: opts.env, force: opts.force, signal: ctx.signal, swept: ctx.swept, onStep: opts.json ? undefined : info });
      for (const s of r.skipped) warn(`not saved (not a file, folder or symlink): ${s}`);
      if (opts.json) printJson(r);
      else say(renderSnapshot(r));
    }));
}
