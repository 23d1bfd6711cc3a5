import type { Command } from '@commander-js/extra-typings';
import { jsonOption } from '../shared.js';
import { printJson, say, warn } from '../output.js';
import { init } from '../../workspace/init.js';

export function define(program: Command): void {
  program
    .command('init')
    .description("write transfer.json and a .dockerignore, and say what the folder's devcontainer.json or repo2docker files (binder/, requirements.txt, postBuild, …) will do")
    .argument('[folder]', 'the workspace folder', '.')
    .option('--dockerfile', 'also write the Dockerfile transferctl would generate, to edit (it then overrides the other files)')
    .option('--force', 'overwrite existing files')
    .addOption(jsonOption())
    .action(async (folder, opts) => {
      const r = init(folder, { force: opts.force, dockerfile: opts.dockerfile });
      if (opts.json) return printJson(r);
      say(`Wrote ${r.written.join(', ')} in ${r.folder}.`);
      if (r.found.length) {
        say('Found:');
        const width = Math.max(...r.found.map((f) => f.path.length));
        for (const f of r.found) say(`  ${f.path.padEnd(width)}  ${f.action}`);
      } else say('No repo2docker files found (requirements.txt, environment.yml, apt.txt, postBuild, …); add one and run `transferctl build`.');
      say(`The image builds from: ${r.buildsFrom}.`);
      for (const p of r.problems) warn(`${p.message}\n  ${p.hint}`);
      say('Next: transferctl up');
    });
}
