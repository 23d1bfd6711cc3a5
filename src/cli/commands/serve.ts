import type { Command } from '@commander-js/extra-typings';
import { withContext } from '../context.js';
import { Option } from '@commander-js/extra-typings';
import { UserError } from '../../errors.js';
import { DEFAULT_CONFIG_NAME, loadServeConfig } from '../../service/config.js';
import { serveJsonSchema } from '../../service/config-schema.js';
import { serveDown, startServe } from '../../service/service.js';
import { info, printJson, say, warn } from '../output.js';

function portArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UserError(`--port: "${v}" is not a port number (0-65535)`, { exitCode: 2 });
  return n;
}

export function define(program: Command): void {
  program
    .command('serve')
    .description('serve temporary notebooks to a workshop\'s visitors: landing page, warm pool, proxy, culler, admin')
    .argument('[config]', `serve config file (default: ./${DEFAULT_CONFIG_NAME})`)
    .option('-c, --config <file>', 'serve config file (same as the argument)')
    .addOption(new Option('-p, --port <port>', 'port to listen on (overrides listen.port)').argParser(portArg))
    .option('--address <ip>', 'address to listen on (overrides listen.address; default 127.0.0.1)')
    .option('--down', "remove every container and the network of this service (visitors' work is lost), then exit")
    .option('--prepare-nodes', 'first send the image to each swarm node named in "nodes" over SSH (only the layers it lacks), then serve')
    .option('--force', 'with --down: stop the service first when it is still running')
    .option('--schema', 'print the JSON Schema of the serve config and exit')
    .option('--json', 'print the start-up facts (or --down result) as JSON')
    .action(async (configArg, opts) =>
      withContext({ ctrlCEnds: true }, async (ctx) => {
      if (opts.schema) return printJson(serveJsonSchema());
      const spec = loadServeConfig(configArg ?? opts.config ?? DEFAULT_CONFIG_NAME);
      if (opts.port !== undefined) spec.listen.port = opts.port;
      if (opts.address) spec.listen.address = opts.address;
      const engine = await ctx.connect();
      if (opts.down) {
        const r = await serveDown(engine, spec, { force: opts.force });
        if (opts.json) printJson(r);
        else say(r.removed.length ? `Removed ${r.removed.join(', ')}.` : `Nothing of service "${spec.name}" was left.`);
        if (r.missed?.length) warn(`not reached, remove them there: ${r.missed.join(', ')} (comment "transferctl serve ${spec.name}")`);
        return;
      }
      if (opts.prepareNodes) {
        if (spec.backend !== 'swarm') throw new UserError('--prepare-nodes is for "backend": "swarm"', { hint: 'add "backend": "swarm" and a "nodes" map to the serve config', exitCode: 2 });
        const { prepareNodes } = await import('../../service/backend/prepare-nodes.js');
        await prepareNodes(engine, spec, (m) => info(`serve: ${m}`));
      }
      const handle = await startServe(engine, spec, { log: opts.json ? () => {} : (m) => info(`serve: ${m}`) });
      const facts = {
        url: handle.url,
        admin: `${handle.adminUrl}/admin`,
        adminToken: handle.adminTokenGenerated ? handle.adminToken : undefined,
        adopted: handle.adopted.adopted.length,
        removed: handle.adopted.removed.length,
        pool: spec.pool,
        image: spec.image,
      };
      if (opts.json) printJson(facts);
      else {
        say(`Serving ${spec.image} at ${handle.url}  (pool ${spec.pool.size}, capacity ${spec.pool.capacity})`);
        say(`Admin: ${handle.adminUrl}/admin (its own address; API and /metrics there too)` + (handle.adminTokenGenerated ? `  token: ${handle.adminToken}  (set ${spec.adminTokenEnv} to choose one)` : ''));
        if (handle.adopted.adopted.length) say(`Adopted ${handle.adopted.adopted.length} running container(s) from an earlier run.`);
        info('Ctrl-C stops the service; visitors keep their notebooks, and the next start adopts them. `transferctl serve --down` removes them.');
      }
      // Ctrl-C (or SIGTERM) is how serve ends: cli/context.ts aborts ctx.signal.
      if (!ctx.signal.aborted) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      await handle.close();
      if (!opts.json) info('serve: stopped (containers left running for the next start)');
    }));
}
