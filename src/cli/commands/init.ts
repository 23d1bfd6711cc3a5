import type { Command } from '@commander-js/extra-typings';
import { jsonOption } from '../shared.js';
import { printJson, say } from '../output.js';
import { init } from '../../workspace/init.js';

export function define(program: Command): void {
  program
    .command('init')
    .description('write transfer.json, a Dockerfile and a .dockerignore (detects requirements.txt, environment.yml, apt.txt)')
    .argument('[folder]', 'the workspace folder', '.')
    .option('--force', 'overwrite existing files')
    .addOption(jsonOption())
    .action(async (folder, opts) => {
      const r = init(folder, { force: opts.force });
      if (opts.json) return printJson(r);
      const found = Object.entries(r.detected).filter(([, v]) => v).map(([k]) => ({ apt: 'apt.txt', requirements: 'requirements.txt', environment: 'environment.yml' })[k]);
      say(`Wrote ${r.written.join(', ')} in ${r.folder}.`);
      say(found.length ? `Dependencies from: ${found.join(', ')}.` : 'No requirements.txt, environment.yml or apt.txt found; add one and run `transferctl build`.');
      say('Next: transferctl up');
    });
}
