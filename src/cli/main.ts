// The entry: registers commands, parses, and is the ONE place that exits.
import { statSync } from 'node:fs';
import { Command, CommanderError } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { UserError } from '../errors.js';
import { isDebug, setDebug } from '../log.js';
import { closest } from '../config/suggest.js';
import { endLiveLine, failureTail, setProgressMode } from './progress-view.js';
import { allNames, commands, findCommand, SEED_FLAGS } from './registry.js';
import { toolVersion } from '../labels.js';

function newProgram(): Command {
  const program = new Command('transferctl')
    .description('Notebook workspaces that build the same everywhere, start with one command, save themselves and travel.')
    .version(toolVersion(), '-V, --version')
    .option('--debug', 'show debug logs and stack traces')
    .option('--progress <mode>', 'build and pull output: quiet (steps, full log in a file; the default) or plain (everything)')
    .usage('[CONFIG] <command> [options]   |   transferctl [CONFIG] --build --start …')
    .showSuggestionAfterError(true)
    .exitOverride();
  program.addHelpText(
    'after',
    `\nSeed form: transferctl [CONFIG] ${SEED_FLAGS.map(([f]) => f).join(' ')} runs those steps in that order.\nA first argument that names a file or ends in .json is the config.`,
  );
  return program as unknown as Command;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Split seed 000's grammar: [CONFIG] then either a command or --build/--start/… flags. */
export function parseSeedForm(argv: string[]): { config?: string; steps: string[]; rest: string[] } {
  let args = argv.slice();
  let config: string | undefined;
  const first = args[0];
  if (first && !first.startsWith('-') && (first.endsWith('.json') || (isFile(first) && !findCommand(first)))) {
    config = first;
    args = args.slice(1);
  }
  const seedFlags = new Map(SEED_FLAGS);
  const hasCommand = args.length > 0 && !args[0].startsWith('-');
  const steps = hasCommand ? [] : SEED_FLAGS.filter(([flag]) => args.includes(flag)).map(([, cmd]) => cmd);
  const rest = hasCommand ? args : args.filter((a) => !seedFlags.has(a));
  return { config, steps, rest };
}

async function runCommand(name: string, args: string[], config?: string): Promise<void> {
  const entry = findCommand(name);
  if (!entry) {
    const guess = closest(name, allNames());
    throw new UserError(`unknown command "${name}"${guess ? ` — did you mean "${guess}"?` : ''}`, {
      hint: 'see `transferctl --help`',
      exitCode: 2,
    });
  }
  const program = newProgram();
  const mod = await entry.load();
  mod.define(program);
  const cmd = program.commands.find((c) => c.name() === entry.name);
  let argv = args.slice();
  if (config) {
    if (!cmd?.options.some((o) => o.long === '--config')) {
      throw new UserError(`"${entry.name}" does not take a config file`, { exitCode: 2 });
    }
    argv = [...argv, '--config', config];
  }
  await program.parseAsync([entry.name, ...argv], { from: 'user' });
}

async function dispatch(argv: string[]): Promise<void> {
  const { config, steps, rest } = parseSeedForm(argv);
  if (steps.length > 0) {
    for (const step of steps) {
      const entry = findCommand(step);
      if (!entry) throw new UserError(`--${step} is not available in this version`, { exitCode: 2 });
      // Pass on only the options this step understands (e.g. --offline to build and up).
      const program = newProgram();
      (await entry.load()).define(program);
      const cmd = program.commands.find((c) => c.name() === entry.name);
      const known = new Set(cmd?.options.flatMap((o) => [o.long, o.short]).filter(Boolean));
      await runCommand(step, rest.filter((a) => known.has(a)), config);
    }
    return;
  }
  const [name, ...args] = rest;
  if (!name || name === '--help' || name === '-h' || name === 'help' || name === '--version' || name === '-V') {
    const program = newProgram();
    for (const c of commands.filter((x) => !x.hidden)) program.command(c.name).aliases(c.aliases ?? []).description(c.summary);
    if (name === 'help' && args[0]) return runCommand(args[0], ['--help']);
    if (!name) {
      program.outputHelp();
      return;
    }
    await program.parseAsync([name], { from: 'user' });
    return;
  }
  if (name.startsWith('-')) {
    throw new UserError(`unknown option "${name}"`, { hint: 'see `transferctl --help`', exitCode: 2 });
  }
  await runCommand(name, args, config);
}

/** Global options taken before dispatch: --debug and --progress MODE (valid with any command). */
export function takeGlobalOptions(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--debug') {
      setDebug(true);
      continue;
    }
    const inline = a.startsWith('--progress=') ? a.slice('--progress='.length) : undefined;
    if (a === '--progress' || inline !== undefined) {
      const value = inline ?? argv[++i];
      if (value !== 'plain' && value !== 'quiet' && value !== 'auto') {
        throw new UserError(`--progress ${value ?? ''}: not a progress mode`, { hint: 'use --progress plain (everything) or --progress quiet (steps and a log file)', exitCode: 2 });
      }
      setProgressMode(value === 'plain' ? 'plain' : 'quiet');
      continue;
    }
    out.push(a);
  }
  return out;
}

/** After a failed build or pull: the last lines of its log and where the rest is. */
function reportLogTail(): void {
  const tail = failureTail(20);
  if (!tail) return;
  process.stderr.write(pc.dim(`last ${tail.lines.length} lines of ${tail.path}:\n${tail.lines.map((l) => '  ' + l).join('\n')}\n`));
}

/** Map any error to a message and an exit code. The only process.exit in transferctl. */
function report(err: unknown): number {
  endLiveLine();
  if (err instanceof CommanderError) {
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2;
  }
  if (!(err instanceof UserError) || err.exitCode !== 2) reportLogTail();
  if (err instanceof UserError) {
    process.stderr.write(`${pc.red('transferctl:')} ${err.message}\n`);
    if (err.hint) process.stderr.write(`  ${pc.dim('→')} ${err.hint}\n`);
    if (isDebug() && err.stack) process.stderr.write(pc.dim(err.stack) + '\n');
    return err.exitCode;
  }
  const e = err as Error;
  process.stderr.write(`${pc.red('transferctl: internal error:')} ${e?.message ?? String(err)}\n`);
  if (isDebug()) process.stderr.write(pc.dim(e?.stack ?? '') + '\n');
  else process.stderr.write(`  ${pc.dim('→')} this is a bug in transferctl; rerun with --debug for the details\n`);
  return 70;
}

/**
 * A reader that goes away early (`transferctl --help | head -1`, a closed terminal) is not an
 * error of the command: drop the rest of that stream's output and let the command finish (a
 * save must not stop half-done because its progress lines had nowhere to go).
 */
export function dropOutputOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stream.write = (() => true) as typeof stream.write;
  });
}

/**
 * dropOutputOnClosedPipe on process.stdout or stderr when it is first used. Node makes these
 * streams on first use, ~3 ms each on a pipe; `status` never writes to stderr when all goes well.
 */
function guardOnFirstUse(name: 'stdout' | 'stderr'): void {
  const own = Object.getOwnPropertyDescriptor(process, name);
  if (!own?.get || !own.configurable) return dropOutputOnClosedPipe(process[name]);
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: own.enumerable,
    get() {
      Object.defineProperty(process, name, own); // Node's getter again: it keeps the stream it made
      const stream = process[name];
      dropOutputOnClosedPipe(stream);
      return stream;
    },
  });
}

export async function main(argv: string[]): Promise<void> {
  let code = 0;
  guardOnFirstUse('stdout');
  guardOnFirstUse('stderr');
  try {
    await dispatch(takeGlobalOptions(argv));
  } catch (err) {
    code = report(err);
  }
  // Every command has finished its work when dispatch returns (servers and `logs -f` return
  // only when they end), so leave now rather than wait for idle keep-alive sockets to close.
  process.exit(code);
}
