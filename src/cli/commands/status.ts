// `status` (alias ps): every transferctl workspace on the engine, as a table or --json.
import type { Command } from '@commander-js/extra-typings';
import { withContext } from '../context.js';
import { jsonOption } from '../shared.js';
import { printJson, say, table } from '../output.js';
import { listWorkspaces } from '../../workspace/status.js';

export function define(program: Command): void {
  program
    .command('status')
    .alias('ps')
    .description('list every transferctl workspace on the engine')
    .addOption(jsonOption())
    .action(async (opts) =>
      withContext({ sweep: true }, async (ctx) => {
      // No ping first: the list is the first call, and a missing engine fails it with the same
      // clear error. The janitor's sweep runs alongside (what a killed run left is not a workspace).
      const list = await listWorkspaces(ctx.engine);
      if (opts.json) return printJson(list);
      if (list.length === 0) return say('No transferctl workspaces on this engine. Start one with `transferctl up`.');
      say(table(list.map((w) => [w.name, w.state, w.url ?? '-', w.hostDirectory]), ['NAME', 'STATE', 'URL', 'FOLDER']));
    }));
}
