import { Option, type Command } from '@commander-js/extra-typings';
import { withContext } from '../context.js';
import { configOption, jsonOption } from '../shared.js';
import { info, printJson, say, warn } from '../output.js';
import { transferImage, type TransferProgress } from '../../transfer/transfer.js';
import { resolveRemote } from '../../transfer/resolve-remote.js';
import { fetchImage } from '../../transfer/fetch.js';
import { UserError } from '../../errors.js';
import { holdTunnel } from '../hold-tunnel.js';

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Progress on stderr: in place on a terminal, every ~10% otherwise. */
function progressPrinter(): (p: Pick<TransferProgress, 'phase' | 'message' | 'sent' | 'toSend'>) => void {
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

/** `transfer IMAGE… HOST` (the old form), `--to HOST`, `--from HOST` or `--engine URL`: which images, which way, where. */
export function splitTarget(args: string[], opts: { to?: string; from?: string; engine?: string }): { images: string[]; host?: string; direction: 'to' | 'from' } {
  const named = [opts.to, opts.from].filter(Boolean).length;
  if (named > 1 || (named && opts.engine && opts.from)) {
    throw new UserError('name one direction: --to HOST or --from HOST', { exitCode: 2 });
  }
  if (opts.from) return { images: args, host: opts.from, direction: 'from' };
  if (opts.to || opts.engine) return { images: args, host: opts.to, direction: 'to' };
  if (args.length < 2) {
    throw new UserError('where to? name a HOST after the image, or use --to HOST, --from HOST or --engine URL', {
      hint: 'e.g. `transferctl transfer my-image user@server` or `transferctl transfer IMG1 IMG2 --to user@server`',
      exitCode: 2,
    });
  }
  return { images: args.slice(0, -1), host: args[args.length - 1], direction: 'to' };
}

export function define(program: Command): void {
  program
    .command('transfer')
    .description('send images to another Docker host over ssh (or fetch them with --from), only the layers the other side lacks')
    .argument('[image...]', 'image names or IDs, then the host unless --to/--from/--engine names it ([user@]host or ssh://user@host:port)')
    .option('--to <host>', 'send to this host ([user@]host or ssh://user@host:port)')
    .option('--from <host>', 'fetch from this host instead: only the layers this engine lacks cross the link (needs GNU tar there)')
    .option('--engine <url>', 'the target engine as a DOCKER_HOST-style URL instead (tcp://…, unix://…, ssh://…)')
    .addOption(new Option('--ssh-option <opt>', 'pass -o OPT to ssh (repeatable); TRANSFERCTL_SSH_OPTS adds raw ssh arguments').argParser(collect))
    .option('--remote-docker <cmd>', 'the docker command on the host', 'docker')
    .option('--force', 'move a tag there even if it names an image transferctl did not make')
    .option('--workspace <host>', "send this folder's saved workspace to HOST and start it there (up --from through HOST's engine)")
    .addOption(configOption())
    .option('--save', 'with --workspace: save first instead of refusing when something is unsaved')
    .option('--dir <dir>', "with --workspace: the folder to restore into and mount on HOST's engine (default: <folder>-transferred)")
    .addOption(new Option('--timeout <seconds>', 'with --workspace: how long to wait for Jupyter there').default(120).argParser(Number))
    .addOption(jsonOption())
    .action((args, opts) => (opts.workspace ? workspaceAction(args, { ...opts, workspace: opts.workspace }) : imagesAction(args, opts)));
}

export interface TransferFlags {
  to?: string;
  from?: string;
  engine?: string;
  sshOption?: string[];
  remoteDocker: string;
  force?: boolean;
  config?: string;
  save?: boolean;
  dir?: string;
  timeout: number;
  json?: boolean;
}

/** `transfer IMAGE… HOST` / `--to` / `--from` / `--engine`: images, one after the other. */
export function imagesAction(args: string[], opts: TransferFlags): Promise<void> {
  return withContext({ interruptible: true }, async (ctx) => {
    const { images, host, direction } = splitTarget(args, opts);
    const engine = await ctx.connect();
    const remote = resolveRemote({ host, engine: opts.engine, sshOptions: opts.sshOption, remoteDocker: opts.remoteDocker });
    const results: unknown[] = [];
    // One image after the other, each asking the other side afresh: layers an earlier image
    // brought are already there for the next, so shared layers travel once.
    for (const image of images) {
      const request = { engine, image, remote, force: opts.force, signal: ctx.signal, onProgress: opts.json ? undefined : progressPrinter() };
      const r = direction === 'from' ? await fetchImage(request) : await transferImage(request);
      if (process.stderr.isTTY && !opts.json) process.stderr.write('\n');
      results.push(r);
      if (opts.json) continue;
      for (const n of r.notes) info(n);
      if ('source' in r) {
        say(
          r.mode === 'none'
            ? `${r.image} is already here; nothing fetched.`
            : `Fetched ${r.image} from ${r.source}: ${r.layers.fetched} of ${r.layers.total} layers, ${mb(r.bytesReceived)} in ${r.seconds.toFixed(1)} s. Image ID checked: ${r.imageId.slice(7, 19)}.`,
        );
      } else {
        say(
          r.mode === 'none'
            ? `${r.image} is already on ${r.target}; nothing sent.`
            : `Sent ${r.image} to ${r.target}: ${r.layers.sent} of ${r.layers.total} layers, ${mb(r.bytesSent)} in ${r.seconds.toFixed(1)} s (${mb(r.layerBytesSkipped)} already there). Image ID checked: ${r.remoteImageId.slice(7, 19)}.`,
        );
      }
    }
    if (opts.json) printJson(results.length === 1 ? results[0] : results);
  });
}

/** `transfer --workspace HOST`: see transfer-workspace.ts. */
async function workspaceAction(args: string[], opts: TransferFlags & { workspace: string }): Promise<void> {
  if (args.length || opts.to || opts.from || opts.engine) {
    throw new UserError('--workspace HOST sends the saved workspace of this folder: name no image, --to, --from or --engine with it', { exitCode: 2 });
  }
  const cmd = await import('./transfer-workspace.js');
  const input = { host: opts.workspace, config: opts.config, save: opts.save, dir: opts.dir, force: opts.force, sshOptions: opts.sshOption, remoteDocker: opts.remoteDocker, timeout: opts.timeout, json: opts.json, onProgress: opts.json ? undefined : progressPrinter() };
  const r = await withContext({ sweep: true, interruptible: true }, (ctx) => cmd.run(input, ctx));
  // The URL works through a port forwarded over ssh: stay attached, as `up` does.
  const tunnel = holdTunnel(r.started.up, !!opts.json);
  if (process.stderr.isTTY && !opts.json) process.stderr.write('\n');
  for (const n of r.started.up.notes) warn(n);
  if (opts.json) printJson(r);
  else say(cmd.render(r));
  tunnel.announce();
  await tunnel.held;
}
