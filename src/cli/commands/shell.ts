import type { Command } from '@commander-js/extra-typings';
import { configOption } from '../shared.js';
import { withContext } from '../context.js';
import { loadWorkspace } from '../../config/load.js';
import { execIn } from '../../workspace/lifecycle.js';
import { UserError } from '../../errors.js';

export function define(program: Command): void {
  program
    .command('shell')
    .description('open a shell in the running workspace, as you (bash when the image has it)')
    .addOption(configOption())
    .option('--root', 'as root instead of as you')
    .action(async (opts) =>
      withContext({ sweep: true }, async (ctx) => {
      const spec = loadWorkspace({ config: opts.config });
      const engine = ctx.engine;
      const code = await execIn(engine, spec, ['/bin/sh', '-c', 'if command -v bash >/dev/null; then exec bash -l; else exec sh -l; fi'], { root: opts.root, attach: true });
      if (code !== 0) throw new UserError(`the shell exited with code ${code}`, { exitCode: code });
    }));
}
