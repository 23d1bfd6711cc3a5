import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { configOption } from '../shared.js';
import { workspaceContext } from '../context.js';
import { logs } from '../../workspace/lifecycle.js';

export function define(program: Command): void {
  program
    .command('logs')
    .description("show the notebook server's output")
    .addOption(configOption())
    .option('-f, --follow', 'keep printing new output')
    .addOption(new Option('-n, --tail <lines>', 'only the last N lines').argParser(Number))
    .action(async (opts) => {
      const { spec, engine } = await workspaceContext(opts);
      const stream = await logs(engine, spec, { follow: opts.follow, tail: opts.tail });
      await new Promise<void>((resolve, reject) => {
        stream.on('error', reject);
        stream.on('end', resolve);
        stream.pipe(process.stdout, { end: false });
        process.once('SIGINT', () => {
          stream.destroy();
          resolve();
        });
      });
    });
}
