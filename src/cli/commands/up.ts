// `up` (alias start): start the workspace, building its image if needed, and print its URL;
// `up --from IMAGE [DIR]`: restore a saved image's folder into DIR first, then start it.
import type { Command as Program } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { spawn } from 'node:child_process';
import { configOption, jsonOption, offlineOption } from '../shared.js';
import { withContext, type CommandContext } from '../context.js';
import { info, printJson, progressPrinter, say, warn } from '../output.js';
import { loadWorkspace } from '../../config/load.js';
import { up, type UpOptions, type UpResult } from '../../workspace/up.js';
import type { UpFromResult } from '../../workspace/up-from.js';
import { UserError } from '../../errors.js';
import { holdTunnel } from '../hold-tunnel.js';

export interface UpInput {
  config?: string;
  port?: number;
  address?: string;
  offline?: boolean;
  recreate?: boolean;
  force?: boolean;
  open?: boolean;
  timeout: number;
  json?: boolean;
  /** Start from a saved image, restored into `dir` first. */
  from?: string;
  dir?: string;
}

export type UpCommandResult =
  | { kind: 'here'; hostDir: string; mountPoint: string; up: UpResult }
  | { kind: 'from'; from: string; result: UpFromResult };

/** The started workspace, either way. */
export function started(r: UpCommandResult): UpResult {
  return r.kind === 'from' ? r.result.up : r.up;
}

function upOptions(input: UpInput, ctx: CommandContext): UpOptions {
  return {
    port: input.port,
    address: input.address,
    timeoutMs: input.timeout * 1000,
    signal: ctx.signal,
    onProgress: progressPrinter(!!input.json),
    onStep: input.json ? undefined : info,
    // The sweep of what killed runs left waits until the container runs (context.ts 'later').
    onStarted: () => ctx.sweepNow(),
  };
}

export async function run(input: UpInput, ctx: CommandContext): Promise<UpCommandResult> {
  if (input.from) {
    const { upFrom } = await import('../../workspace/up-from.js');
    const engine = await ctx.connect();
    const result = await upFrom(engine, { image: input.from, dir: input.dir, forceRestore: input.force, up: upOptions(input, ctx), swept: ctx.swept });
    return { kind: 'from', from: input.from, result };
  }
  if (input.dir) throw new UserError(`unexpected argument "${input.dir}"`, { hint: 'a folder argument goes with --from IMAGE; the config is chosen with --config', exitCode: 2 });
  const spec = loadWorkspace({ config: input.config, needHostDir: true });
  const result = await up(ctx.engine, spec, { ...upOptions(input, ctx), offline: input.offline, recreate: input.recreate, force: input.force });
  return { kind: 'here', hostDir: spec.volume.hostDir, mountPoint: spec.volume.mountPoint, up: result };
}

/** The JSON `up --json` prints (what the core returned). */
export function asJson(r: UpCommandResult): unknown {
  return r.kind === 'from' ? r.result : r.up;
}

/** The text `up` prints: what started, then the URL. */
export function render(r: UpCommandResult): string {
  const result = started(r);
  if (r.kind === 'from') {
    const where = r.result.folderVolume ? ` (the workspace uses volume ${r.result.folderVolume} on that engine, a copy of it: its host cannot see this folder)` : '';
    return `Restored ${r.result.restored.files} files from ${r.from} into ${r.result.dir}${where}; workspace ${result.container} is up.\n${result.url}`;
  }
  const what = result.action === 'already-running' ? 'is running' : 'is up';
  return `Workspace ${result.container} ${what} (${r.hostDir} → ${r.mountPoint}).\n${result.url}`;
}

function openBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'start' : 'xdg-open';
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => warn(`could not open a browser (${opener}); open the URL yourself`));
  child.unref();
}

export function define(program: Program): void {
  program
    .command('up')
    .alias('start')
    .description('start the workspace (building its image if needed), wait for Jupyter and print its URL')
    .addOption(configOption())
    .addOption(new Option('-p, --port <port>', 'host port (default: publish.port, or 8888 / the next free one)').argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UserError(`--port: "${v}" is not a port number (1-65535)`, { exitCode: 2 });
      return n;
    }))
    .option('--address <ip>', 'host address to publish on (default 127.0.0.1; 0.0.0.0 opens it to your network)')
    .addOption(offlineOption())
    .option('--recreate', 'recreate the container to apply config changes (token and port are kept)')
    .option('--force', 'replace a container of the same name that transferctl did not create for this workspace')
    .option('--open', 'open the URL in a browser')
    .addOption(new Option('--timeout <seconds>', 'how long to wait for Jupyter').default(120).argParser(Number))
    .addOption(jsonOption())
    .option('--from <image>', 'start from a saved image: its folder is restored into DIR (new or empty; --force for a non-empty one) first')
    .argument('[dir]', 'with --from: the folder to restore into (default: ./<image name>)')
    .action(async (dir, opts) => {
      const r = await withContext({ sweep: 'later', interruptible: true }, (ctx) => run({ ...opts, dir }, ctx));
      // On an ssh:// engine the URL works through a port forwarded over ssh: stay attached
      // (listening for signals before the URL is out).
      const tunnel = holdTunnel(started(r), !!opts.json);
      for (const n of started(r).notes) warn(n);
      if (opts.json) printJson(asJson(r));
      else say(render(r));
      if (opts.open) openBrowser(started(r).url);
      tunnel.announce();
      await tunnel.held;
    });
}
