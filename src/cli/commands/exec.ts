import type { Command } from '@commander-js/extra-typings';
import { configOption } from '../shared.js';
import { withContext } from '../context.js';
import { loadWorkspace } from '../../config/load.js';
import { execIn } from '../../workspace/lifecycle.js';
import { UserError } from '../../errors.js';

export function define(program: Command): void {
  program
    .command('exec')
    .description('run a command in the running workspace, as you: transferctl exec -- pip list')
    .argument('<command...>', 'the command and its arguments (put -- before them)')
    .addOption(configOption())
    .option('--root', 'as root instead of as you')
    .action(async (command, opts) =>
      withContext({ sweep: true }, async (ctx) => {
      const spec = loadWorkspace({ config: opts.config });
      const engine = ctx.engine;
      const code = await execIn(engine, spec, command, { root: opts.root });
      if (code !== 0) throw new UserError(`"${command.join(' ')}" exited with code ${code}`, { exitCode: code });
    }));
}
