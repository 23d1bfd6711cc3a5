// `image build|run|show|publish NAME`: the images of a project with docker/<name>/Dockerfile
// folders and docker/run.cfg (seed 004). build-image, run-image and publish-image are the
// seed's own names for the same commands.
import { Command, Option } from '@commander-js/extra-typings';
import { UserError } from '../../errors.js';
import { loadProject, type Project } from '../../project/discover.js';
import { loadProfiles, type ProjectProfiles } from '../../project/profiles.js';
import { buildProject } from '../../project/build.js';
import { runProfile } from '../../project/run.js';
import { renderProfile, showProfile } from '../../project/show.js';
import { publishImage } from '../../project/publish.js';
import { info, printJson, progressPrinter, say } from '../output.js';
import { withContext } from '../context.js';
import { configOption, jsonOption } from '../shared.js';

const rootOption = () => new Option('--root <dir>', 'project folder (default: the nearest folder with docker/<name>/Dockerfile)');

function project(opts: { root?: string; config?: string }): { project: Project } & ProjectProfiles {
  const p = loadProject({ root: opts.root });
  return { project: p, ...loadProfiles(p, { config: opts.config }) };
}

function buildArg(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new UserError(`--build-arg "${value}" is not NAME=value`, { exitCode: 2 });
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function addBuild(parent: Command, name: string): void {
  parent
    .command(name)
    .description('build a docker/<name> image as <project>-<name>:<user>, after the project images it is FROM')
    .argument('<name>', 'image folder in docker/ (or a synthetic image of run.cfg)')
    .addOption(rootOption())
    .addOption(configOption())
    .option('--no-cache', 'do not reuse cached layers')
    .option('--no-deps', 'build only this image, not the project images it is FROM')
    .option('--build-arg <NAME=value>', 'a build argument (repeatable)', buildArg)
    .option('--write-version', 'also write _version.py.bld and _version.json.bld into the project root')
    .option('--force', 'replace an image tag (or version file) that transferctl did not make')
    .addOption(jsonOption())
    .action(async (target, opts) =>
      withContext({ interruptible: true }, async (ctx) => {
      const { project: p, profiles } = project(opts);
      const engine = await ctx.connect();
      const result = await buildProject(engine, p, profiles, target, {
          noCache: opts.cache === false,
          withDependencies: opts.deps !== false,
          force: opts.force,
          buildArgs: opts.buildArg,
          writeVersion: opts.writeVersion,
          signal: ctx.signal,
          onProgress: progressPrinter(!!opts.json),
          onStep: opts.json ? undefined : info,
        });
      if (opts.json) return printJson(result);
      for (const i of result.images) {
        say(`Built ${i.ref} (${i.imageId.slice(7, 19)}) in ${i.seconds.toFixed(1)} s: ${i.steps} steps, ${i.cachedSteps} from cache, ${i.rebuiltSteps} rebuilt.`);
      }
      say(`Version ${result.version}.`);
      for (const f of result.written ?? []) say(`Wrote ${f}.`);
    }));
}

export function addRun(parent: Command, name: string): void {
  parent
    .command(name)
    .description('run an image of the project with its run.cfg / transfer.json profile (ports on 127.0.0.1 unless an address is given)')
    .argument('<name>', 'image folder in docker/, or a synthetic image of run.cfg')
    .argument('[cmd...]', 'a command instead of the profile\'s cmd (after --)')
    .addOption(rootOption())
    .addOption(configOption())
    .option('-g, --gpu', 'add the profile\'s GPU settings (default: every GPU)')
    .option('-d, --detach', 'run in the background and print the container name')
    .option('--name <container>', 'container name (default: <project>-<name>-<random>)')
    .addOption(jsonOption())
    .action(async (target, cmd, opts) =>
      withContext({ interruptible: true }, async (ctx) => {
      const { project: p, profiles } = project(opts);
      const engine = await ctx.connect();
      const result = await runProfile(engine, p, profiles, target, {
          cmd,
          gpu: opts.gpu,
          detach: opts.detach,
          name: opts.name,
          signal: ctx.signal,
          onProgress: progressPrinter(true),
          onStep: opts.json ? undefined : info,
        });
      if (opts.json) printJson(result);
      else if (result.mode === 'd') {
        const ports = Object.entries(result.ports).flatMap(([c, list]) => list.map((b) => `${b.hostIp}:${b.hostPort} → ${c}`));
        say(result.container);
        if (ports.length) info(`ports: ${ports.join(', ')}`);
      }
      if (result.exitCode) throw new UserError(`${result.container} exited with code ${result.exitCode}`, { exitCode: result.exitCode });
    }));
}

export function addShow(parent: Command, name: string): void {
  parent
    .command(name)
    .description('print the resolved settings of an image or profile')
    .argument('<name>')
    .addOption(rootOption())
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (target, opts) => {
      const { project: p, profiles } = project(opts);
      const view = showProfile(p, profiles, target);
      if (opts.json) printJson(view);
      else say(renderProfile(view));
    });
}

export function addPublish(parent: Command, name: string): void {
  parent
    .command(name)
    .description('push a project image to the registry of the host environment (--registry, TRANSFERCTL_REGISTRY, or commit.repo)')
    .argument('<name>')
    .addOption(rootOption())
    .addOption(configOption())
    .option('--registry <host[/namespace]>', 'registry to push to')
    .option('--force', 'move a registry tag that transferctl did not make')
    .addOption(jsonOption())
    .action(async (target, opts) =>
      withContext({}, async (ctx) => {
      const { project: p, profiles, registry } = project(opts);
      const engine = await ctx.connect();
      const result = await publishImage(engine, p, profiles, target, {
        registry: opts.registry,
        configured: registry,
        force: opts.force,
        onProgress: progressPrinter(!!opts.json),
      });
      if (opts.json) printJson(result);
      else say(`Pushed ${result.pushed}${result.digest ? ` (${result.digest})` : ''}.`);
    }));
}

export function define(program: Command): void {
  const image = program.command('image').description('build, run, show and publish the images of a project (docker/<name>/Dockerfile, docker/run.cfg)');
  addBuild(image, 'build');
  addRun(image, 'run');
  addShow(image, 'show');
  addPublish(image, 'publish');
}
