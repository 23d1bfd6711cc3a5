import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { configOption } from '../shared.js';
import { withContext } from '../context.js';
import { loadWorkspace } from '../../config/load.js';
import { logs } from '../../workspace/lifecycle.js';

export function define(program: Command): void {
  program
    .command('logs')
    .description("show the notebook server's output")
    .addOption(configOption())
    .option('-f, --follow', 'keep printing new output')
    .addOption(new Option('-n, --tail <lines>', 'only the last N lines').argParser(Number))
    .action(async (opts) =>
      withContext({ sweep: true, ctrlCEnds: true }, async (ctx) => {
      const spec = loadWorkspace({ config: opts.config });
      const engine = ctx.engine;
      const stream = await logs(engine, spec, { follow: opts.follow, tail: opts.tail });
      await new Promise<void>((resolve, reject) => {
        stream.on('error', reject);
        stream.on('end', resolve);
        stream.pipe(process.stdout, { end: false });
        ctx.signal.addEventListener('abort', () => {
          stream.destroy();
          resolve();
        });
      });
    }));
}
