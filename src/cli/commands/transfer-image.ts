// Seed 004's `transfer-image IMAGE HOST`: `transfer IMAGE HOST`, the thin transfer over ssh
// (only the layers the host lacks; the image ID checked there).
import { Option, type Command } from '@commander-js/extra-typings';
import { jsonOption } from '../shared.js';
import { imagesAction } from './transfer.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function define(program: Command): void {
  program
    .command('transfer-image')
    .description('send an image to another Docker host over ssh, only the layers it lacks (seed 004; the same as `transfer IMAGE HOST`)')
    .argument('<image>', 'image name or ID')
    .argument('<host>', '[user@]host or ssh://user@host:port')
    .addOption(new Option('--ssh-option <opt>', 'pass -o OPT to ssh (repeatable); TRANSFERCTL_SSH_OPTS adds raw ssh arguments').argParser(collect))
    .option('--remote-docker <cmd>', 'the docker command on the host', 'docker')
    .option('--force', 'move a tag there even if it names an image transferctl did not make')
    .addOption(jsonOption())
    .action((image, host, opts) => imagesAction([image], { ...opts, to: host, timeout: 0 }));
}
