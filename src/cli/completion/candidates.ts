// What to offer after the words typed so far: commands, a command's options, or values
// (image names, workspace configs) that the engine knows. Pure: the caller supplies the lists.
export interface CommandSpec {
  names: string[];
  options: { flags: string[]; takesValue: boolean }[];
  /** What its positional arguments are, in order ("image", "dir", "host", …). */
  args: string[];
}

/** "files" carries the command's options too: the shell shows those that match what is typed, else file names. */
export type Wanted = { kind: 'words'; words: string[] } | { kind: 'images' } | { kind: 'configs' } | { kind: 'files'; words: string[] };

/** Options whose value is an image reference, and those whose value is a workspace config. */
const IMAGE_OPTIONS = new Set(['--from', '--without']);
const CONFIG_OPTIONS = new Set(['-c', '--config']);

export function wanted(words: string[], commands: CommandSpec[], global: string[]): Wanted {
  const rest = words.filter((w) => w !== '--debug');
  // seed 000's form: a config file first
  if (rest[0] && (rest[0].endsWith('.json') || rest[0].includes('/'))) rest.shift();
  const name = rest.find((w) => !w.startsWith('-'));
  const cmd = name ? commands.find((c) => c.names.includes(name)) : undefined;
  if (!cmd) return { kind: 'words', words: [...commands.flatMap((c) => c.names), ...global] };
  const after = rest.slice(rest.indexOf(name!) + 1);
  const prev = after[after.length - 1];
  if (prev && CONFIG_OPTIONS.has(prev)) return { kind: 'configs' };
  if (prev && IMAGE_OPTIONS.has(prev)) return { kind: 'images' };
  const prevOption = prev ? cmd.options.find((o) => o.flags.includes(prev)) : undefined;
  if (prevOption?.takesValue) return { kind: 'files', words: [] };
  // which positional comes next: count the words that are not options or their values
  let positional = 0;
  for (let i = 0; i < after.length; i++) {
    const w = after[i];
    if (w.startsWith('-')) {
      if (cmd.options.find((o) => o.flags.includes(w))?.takesValue) i++;
      continue;
    }
    positional++;
  }
  const next = cmd.args[positional];
  if (next === 'image') return { kind: 'images' };
  const options = cmd.options.flatMap((o) => o.flags.filter((f) => f.startsWith('--')));
  if (next === 'dir' || next === 'file') return { kind: 'files', words: options };
  return { kind: 'words', words: options };
}
