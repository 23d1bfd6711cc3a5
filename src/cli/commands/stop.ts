import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { configOption, jsonOption } from '../shared.js';
import { withContext } from '../context.js';
import { loadWorkspace } from '../../config/load.js';
import { printJson, say } from '../output.js';
import { stop } from '../../workspace/lifecycle.js';

export function define(program: Command): void {
  program
    .command('stop')
    .description("stop the workspace's container; `up` starts it again with the same URL")
    .addOption(configOption())
    .addOption(new Option('-t, --time <seconds>', 'seconds to wait before killing').default(10).argParser(Number))
    .addOption(jsonOption())
    .action(async (opts) =>
      withContext({ sweep: true }, async (ctx) => {
      const spec = loadWorkspace({ config: opts.config });
      const engine = ctx.engine;
      const r = await stop(engine, spec, opts.time);
      if (opts.json) printJson(r);
      else say(r.was === 'running' ? `Stopped ${r.container}.` : r.was === 'stopped' ? `${r.container} was already stopped.` : `${r.container} does not exist; nothing to stop.`);
    }));
}
