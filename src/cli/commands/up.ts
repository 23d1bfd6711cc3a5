import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { spawn } from 'node:child_process';
import { configOption, jsonOption, offlineOption } from '../shared.js';
import { workspaceContext } from '../context.js';
import { withInterrupt } from '../interrupt.js';
import { info, printJson, progressPrinter, say, warn } from '../output.js';
import { up } from '../../workspace/up.js';
import { UserError } from '../../errors.js';

function openBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'start' : 'xdg-open';
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => warn(`could not open a browser (${opener}); open the URL yourself`));
  child.unref();
}

export function define(program: Command): void {
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
      if (opts.from) {
        const result = await (await import('./up-from.js')).runUpFrom(opts.from, dir, opts);
        if (opts.open) openBrowser(result.url);
        await (await import('../hold-tunnel.js')).holdTunnel(result, !!opts.json);
        return;
      }
      if (dir) throw new UserError(`unexpected argument "${dir}"`, { hint: 'a folder argument goes with --from IMAGE; the config is chosen with --config', exitCode: 2 });
      const { spec, engine } = await workspaceContext(opts, { hostDir: true, sweep: false });
      const result = await withInterrupt((signal) =>
        up(engine, spec, {
          port: opts.port,
          address: opts.address,
          offline: opts.offline,
          recreate: opts.recreate,
          force: opts.force,
          timeoutMs: opts.timeout * 1000,
          signal,
          onProgress: progressPrinter(!!opts.json),
          onStep: opts.json ? undefined : info,
        }),
      );
      for (const n of result.notes) warn(n);
      if (opts.json) printJson(result);
      else {
        const what = result.action === 'already-running' ? 'is running' : 'is up';
        say(`Workspace ${result.container} ${what} (${spec.volume.hostDir} → ${spec.volume.mountPoint}).`);
        say(result.url);
      }
      if (opts.open) openBrowser(result.url);
      await (await import('../hold-tunnel.js')).holdTunnel(result, !!opts.json);
    });
}
