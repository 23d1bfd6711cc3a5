// transferctl completion bash|zsh|fish prints the script; the hidden `__complete WORDS…`
// answers it: one candidate per line, engine lists given at most ~300 ms.
import { Command as Program, type Command } from '@commander-js/extra-typings';
import { UserError } from '../../errors.js';
import { L } from '../../labels.js';
import { withContext } from '../context.js';
import { wanted, type CommandSpec } from '../completion/candidates.js';
import { completionScript, SHELLS, type Shell } from '../completion/scripts.js';
import { commands, findCommand } from '../registry.js';

const ENGINE_BUDGET_MS = 300;

async function specOf(name: string): Promise<CommandSpec | undefined> {
  const entry = findCommand(name);
  if (!entry) return undefined;
  const program = new Program('transferctl');
  (await entry.load()).define(program as unknown as Command);
  const cmd = program.commands.find((c) => c.name() === entry.name);
  if (!cmd) return undefined;
  return {
    names: [entry.name, ...(entry.aliases ?? [])],
    options: cmd.options.map((o) => ({ flags: [o.long, o.short].filter((f): f is string => !!f), takesValue: o.required || o.optional })),
    args: cmd.registeredArguments.map((a) => a.name()),
  };
}

/** The engine's answer, or nothing when it does not come within the budget. */
async function within<T>(work: () => Promise<T>, fallback: T): Promise<T> {
  const timer = new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ENGINE_BUDGET_MS).unref());
  return Promise.race([work().catch(() => fallback), timer]);
}

export async function complete(words: string[]): Promise<string[]> {
  const name = words.find((w) => !w.startsWith('-') && !w.endsWith('.json') && !w.includes('/'));
  const spec = name ? await specOf(name) : undefined;
  const all: CommandSpec[] = commands.filter((c) => !c.hidden).map((c) => (spec && spec.names[0] === c.name ? spec : { names: [c.name, ...(c.aliases ?? [])], options: [], args: [] }));
  const want = wanted(words, all, ['--help', '--version', '--debug', '--progress']);
  switch (want.kind) {
    case 'words':
    case 'files':
      return want.words;
    case 'images':
      return within(() => withContext({}, async (ctx) => {
        const images = await ctx.engine.images.list();
        return [...new Set(images.flatMap((i) => i.repoTags).filter((t) => !t.includes('<none>')))].sort();
      }), []);
    case 'configs':
      return within(() => withContext({}, async (ctx) => {
        const list = await ctx.engine.containers.list({ labels: { [L.workspace]: '' } });
        return [...new Set(list.map((c) => c.labels[L.workspace]).filter(Boolean))].sort();
      }), []);
  }
}

export function define(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: eval "$(transferctl completion bash)" (or zsh; fish: > ~/.config/fish/completions/transferctl.fish)')
    .argument('<shell>', SHELLS.join(', '))
    .action(async (shell) => {
      if (!(SHELLS as readonly string[]).includes(shell)) {
        throw new UserError(`no completion for the shell "${shell}"`, { hint: `choose one of: ${SHELLS.join(', ')}`, exitCode: 2 });
      }
      process.stdout.write(completionScript(shell as Shell));
    });
  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words) => {
      const out = await complete(words);
      if (out.length) process.stdout.write(out.join('\n') + '\n');
    });
}
