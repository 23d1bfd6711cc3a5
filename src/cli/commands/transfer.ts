import { Option, type Command } from '@commander-js/extra-typings';
import { jsonOption } from '../shared.js';
import { connectEngine } from '../../engine/index.js';
import { withInterrupt } from '../interrupt.js';
import { info, printJson, say } from '../output.js';
import { transferImage, type TransferProgress } from '../../transfer/transfer.js';
import { resolveRemote } from '../../transfer/resolve-remote.js';

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Progress on stderr: in place on a terminal, every ~10% otherwise. */
function progressPrinter(): (p: TransferProgress) => void {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  return (p) => {
    if (p.phase !== 'bytes') {
      if (p.message) info(p.message);
      return;
    }
    const line = `  sent ${mb(p.sent ?? 0)} of about ${mb(p.toSend ?? 0)}`;
    if (tty) return void process.stderr.write(`\r${line}\x1b[K`);
    const tenth = p.toSend ? Math.floor((10 * (p.sent ?? 0)) / p.toSend) : 10;
    if (tenth !== lastTenth) info(line);
    lastTenth = tenth;
  };
}

export function define(program: Command): void {
  program
    .command('transfer')
    .description('send an image to another Docker host over ssh, only the layers it lacks')
    .argument('<image>', 'image name or ID')
    .argument('[host]', '[user@]host or ssh://user@host:port (your ssh config, agent and known_hosts apply)')
    .option('--engine <url>', 'the target engine as a DOCKER_HOST-style URL instead (tcp://…, unix://…, ssh://…)')
    .addOption(new Option('--ssh-option <opt>', 'pass -o OPT to ssh (repeatable); TRANSFERCTL_SSH_OPTS adds raw ssh arguments').argParser(collect))
    .option('--remote-docker <cmd>', 'the docker command on the host', 'docker')
    .option('--force', 'move a tag there even if it names an image transferctl did not make')
    .addOption(jsonOption())
    .action(async (image, host, opts) => {
      const engine = await connectEngine();
      const remote = resolveRemote({ host, engine: opts.engine, sshOptions: opts.sshOption, remoteDocker: opts.remoteDocker });
      const r = await withInterrupt((signal) =>
        transferImage({ engine, image, remote, force: opts.force, signal, onProgress: opts.json ? undefined : progressPrinter() }),
      );
      if (process.stderr.isTTY && !opts.json) process.stderr.write('\n');
      if (opts.json) return printJson(r);
      for (const n of r.notes) info(n);
      say(
        r.mode === 'none'
          ? `${r.image} is already on ${r.target}; nothing sent.`
          : `Sent ${r.image} to ${r.target}: ${r.layers.sent} of ${r.layers.total} layers, ${mb(r.bytesSent)} in ${r.seconds.toFixed(1)} s (${mb(r.layerBytesSkipped)} already there). Image ID checked: ${r.remoteImageId.slice(7, 19)}.`,
      );
    });
}
