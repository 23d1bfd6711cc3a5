// Reading docker-run-style flags out of a word list: `-e X`, `-eX`, `--env X`, `--env=X`.

/** A problem with one value; the loader adds the file, section, key and line. */
export class ArgError extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'ArgError';
    this.hint = hint;
  }
}

export interface FlagDef {
  /** Short letter without the dash ("e"), if any. */
  short?: string;
  /** Long name without the dashes ("env"). */
  long: string;
  /** Takes no value (e.g. --interactive). */
  boolean?: boolean;
}

export interface FlagValue {
  flag: FlagDef;
  value: string;
}

/** Walk the words; every word must be one of the flags (with its value). */
export function readFlags(words: string[], defs: FlagDef[], what: string, example: string): FlagValue[] {
  const out: FlagValue[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    let def: FlagDef | undefined;
    let inline: string | undefined;
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      def = defs.find((d) => d.long === name);
      if (eq >= 0) inline = w.slice(eq + 1);
    } else if (w.startsWith('-') && w.length >= 2) {
      def = defs.find((d) => d.short === w[1]);
      if (w.length > 2) inline = w.slice(2).replace(/^=/, '');
    }
    if (!def && w.startsWith('#')) {
      throw new ArgError(`"${w}…" is not a flag: a comment must be on a line of its own (after a value, # is part of it)`, 'move the comment to the line above');
    }
    if (!def) {
      const allowed = defs.map((d) => (d.short ? `-${d.short}/--${d.long}` : `--${d.long}`)).join(', ');
      throw new ArgError(`"${w}" is not supported in ${what} (allowed: ${allowed})`, `write it as ${example}`);
    }
    if (def.boolean) {
      out.push({ flag: def, value: inline ?? 'true' });
      continue;
    }
    const value = inline ?? words[++i];
    if (value === undefined) throw new ArgError(`"${w}" needs a value`, `write it as ${example}`);
    out.push({ flag: def, value });
  }
  return out;
}
