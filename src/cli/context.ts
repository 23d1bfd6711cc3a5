// The one place a command gets what surrounds it: the engine, the sweep of what killed runs
// left, and Ctrl-C. Nothing else in src/cli creates an engine, sweeps or listens for SIGINT
// (serve and `logs -f` stop on ctx.signal like everyone else).
//
// How a command is written (see commands/push.ts, status.ts, up.ts):
//   export interface XInput { …the parsed options… }
//   export async function run(input: XInput, ctx: CommandContext): Promise<XResult>
//       plain data in, plain data out; uses ctx.engine, ctx.signal, ctx.swept
//   export function render(result: XResult): string          the human text (stdout)
//   export function define(program: Command)                  commander: flags, then
//       .action((…, opts) => execute({ run, render }, input, { sweep: true, … }))
// `execute` prints the result as JSON with --json, else render(result). Register the file in
// registry.ts (loaded lazily). Options shared by several commands live in shared.ts.
import { createEngine, engineAt, type Engine } from '../engine/index.js';
import { InterruptedError } from '../errors.js';
import { sweepTemporaries } from '../workspace/janitor.js';
import { printJson, say, warn } from './output.js';

export interface CommandContext {
  /** The engine (DOCKER_HOST, the docker context or the default socket; or --engine URL), made on first use. */
  readonly engine: Engine;
  /**
   * Settles when the leftovers of killed runs are removed (at once for commands that do not
   * sweep). The sweep starts when the engine is made and runs alongside the command: await
   * this only before creating temporaries of your own.
   */
  readonly swept: Promise<void>;
  /** Aborted by the first Ctrl-C (with `interruptible`): stop, clean up, and return or throw. */
  readonly signal: AbortSignal;
  /** The engine, once it has answered a ping (a missing engine is then the first thing said). */
  connect(): Promise<Engine>;
  /** With `sweep: 'later'`: start the sweep now (it starts anyway when `swept` is read, or at the end). */
  sweepNow(): void;
}

export interface ContextOptions {
  /**
   * Workspace commands and status: sweep what killed runs left. true: alongside the command
   * from its first engine call. 'later': when the command calls sweepNow() or reads `swept`,
   * else when it ends (up: once its container is started, so the sweep's engine calls do not
   * stand between the command and the container; they overlap Jupyter's start instead).
   */
  sweep?: boolean | 'later';
  /**
   * Sweep once more when the command ends (save, commit: commands that take seconds anyway).
   * The engine finishes a killed run's last request after the run died (a `docker load` whose
   * body was sent, a commit), so its image can appear after the first sweep looked.
   */
  sweepAtEnd?: boolean;
  /** Ctrl-C aborts ctx.signal and the work cleans up; a second press exits at once. Without it, Ctrl-C ends the process as usual. */
  interruptible?: boolean;
  /** Ctrl-C is the normal way to end this command (serve, `logs -f`): no "interrupted" error afterwards. */
  ctrlCEnds?: boolean;
  /** An engine URL given by the user (--engine). */
  engineUrl?: string;
}

export interface Command<I, R> {
  run(input: I, ctx: CommandContext): Promise<R>;
  render(result: R): string;
  /** Lines for stderr in both modes (e.g. notes), printed before the result. */
  warnings?(result: R): string[];
}

/** Run `fn` with a context, then wait for the sweep it started (if any) so nothing is cut off. */
export async function withContext<T>(opts: ContextOptions, fn: (ctx: CommandContext) => Promise<T>): Promise<T> {
  let engine: Engine | undefined;
  let swept: Promise<void> = Promise.resolve();
  let sweeping = false;
  const startSweep = (on: Engine) => {
    if (!opts.sweep || sweeping) return;
    sweeping = true;
    swept = sweepTemporaries(on).then(() => {}, () => {});
  };
  const controller = new AbortController();
  const ctx: CommandContext = {
    get engine() {
      if (!engine) {
        engine = opts.engineUrl ? engineAt(opts.engineUrl, '--engine') : createEngine();
        if (opts.sweep === true) startSweep(engine);
      }
      return engine;
    },
    get swept() {
      if (opts.sweep === 'later') startSweep(ctx.engine);
      return swept;
    },
    signal: controller.signal,
    async connect() {
      await ctx.engine.ping();
      return ctx.engine;
    },
    sweepNow() {
      startSweep(ctx.engine);
    },
  };
  let presses = 0;
  const onSignal = () => {
    presses++;
    if (opts.ctrlCEnds) {
      if (presses === 1) controller.abort();
      return;
    }
    if (presses === 1) {
      process.stderr.write('\ntransferctl: interrupted — cleaning up (press Ctrl-C again to quit at once)\n');
      controller.abort(new InterruptedError());
    } else process.exit(130);
  };
  const listens = opts.interruptible || opts.ctrlCEnds;
  if (listens) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    const result = await fn(ctx);
    if (controller.signal.aborted && !opts.ctrlCEnds) throw controller.signal.reason;
    return result;
  } catch (err) {
    if (controller.signal.aborted && !opts.ctrlCEnds) throw controller.signal.reason;
    throw err;
  } finally {
    if (listens) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (engine) startSweep(engine); // a 'later' sweep the command did not ask for
    await swept;
    if (opts.sweep && opts.sweepAtEnd && engine) await sweepTemporaries(engine).catch(() => {});
  }
}

/** Run a command and print its result: JSON with --json, else its text. */
export async function execute<I extends { json?: boolean }, R>(command: Command<I, R>, input: I, opts: ContextOptions = {}): Promise<R> {
  const result = await withContext(opts, (ctx) => command.run(input, ctx));
  for (const w of command.warnings?.(result) ?? []) warn(w);
  if (input.json) printJson(result);
  else say(command.render(result));
  return result;
}
