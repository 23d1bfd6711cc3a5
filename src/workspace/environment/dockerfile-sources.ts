// What a Dockerfile reads: the images its FROM lines (and COPY --from=IMAGE) build on, and the
// build-context paths its COPY/ADD instructions copy. Plain text work, no files, no engine:
// the environment hash (input-hash.ts) is made from these.

export interface DockerfileReads {
  /** Images it builds on (FROM, COPY --from=IMAGE), its own stages and `scratch` left out. */
  images: string[];
  /** Context paths and globs COPY/ADD name, as written after variable substitution ('.' = all). */
  sources: string[];
  /** A COPY/ADD source whose variables could not be told: the whole context counts. */
  wholeContext: boolean;
}

interface Instruction {
  op: string;
  args: string;
}

/**
 * The instructions, continuation lines joined, comments and heredoc bodies dropped. A heredoc
 * whose terminator never comes was not one (e.g. `x<<y` in a shell line): parsed again without it.
 */
export function parseInstructions(text: string, notHeredoc: Set<number> = new Set()): Instruction[] {
  const lines = text.split(/\r?\n/);
  const escape = /^#\s*escape\s*=\s*`/i.test(lines.find((l) => l.trim() !== '') ?? '') ? '`' : '\\';
  const out: Instruction[] = [];
  let current = '';
  let heredoc: { word: string; line: number } | null = null;
  for (const [n, raw] of lines.entries()) {
    if (heredoc !== null) {
      if (raw.replace(/^\t+/, '') === heredoc.word) heredoc = null;
      continue;
    }
    const line = raw.trim();
    if (line.startsWith('#') || (!current && line === '')) continue;
    if (line.endsWith(escape)) {
      current += line.slice(0, -1) + ' ';
      continue;
    }
    current += line;
    const m = /^(\S+)\s*(.*)$/s.exec(current.trim());
    current = '';
    if (!m) continue;
    const op = m[1].toUpperCase();
    out.push({ op, args: m[2] });
    const doc = /<<-?(["']?)([A-Za-z_][A-Za-z0-9_]*)\1/.exec(m[2]);
    if (doc && (op === 'RUN' || op === 'COPY' || op === 'ADD') && !notHeredoc.has(n)) heredoc = { word: doc[2], line: n };
  }
  if (heredoc) return parseInstructions(text, new Set([...notHeredoc, heredoc.line]));
  return out;
}

/** $VAR, ${VAR}, ${VAR:-word}, ${VAR:+word}; null when a variable is unknown (and has no default). */
export function substituteKnown(text: string, vars: Record<string, string | undefined>): string | null {
  let unknown = false;
  const out = text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced, op, word, bare) => {
    const name = braced ?? bare;
    const v = vars[name];
    if (op === '-') return v ? v : word;
    if (op === '+') return v ? word : '';
    if (v === undefined) unknown = true;
    return v ?? '';
  });
  return unknown ? null : out;
}

/** `--flag=value` words at the start, then the rest (JSON array form or whitespace-separated). */
function splitFlags(args: string): { flags: Record<string, string>; words: string[] } {
  const flags: Record<string, string> = {};
  let rest = args.trim();
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!m) break;
    flags[m[1]] = m[2] ?? 'true';
    rest = rest.slice(m[0].length);
  }
  if (rest.startsWith('[')) {
    try {
      const parsed = JSON.parse(rest) as unknown;
      if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) return { flags, words: parsed };
    } catch {
      // not JSON after all: Docker reads it as plain words too
    }
  }
  return { flags, words: rest.split(/\s+/).filter(Boolean) };
}

/** `ARG a=1 b` / `ENV a=1 b=2` / `ENV a 1` → name/value pairs (value undefined: declared only). */
function declarations(op: string, args: string): [string, string | undefined][] {
  const unquote = (v: string) => v.replace(/^(["'])(.*)\1$/, '$2');
  if (op === 'ENV' && !/^[^\s=]+=/.test(args)) {
    const m = /^(\S+)\s+(.*)$/.exec(args.trim());
    return m ? [[m[1], unquote(m[2])]] : [];
  }
  return (args.match(/[^\s=]+(?:=(?:"[^"]*"|'[^']*'|\S*))?/g) ?? []).map((d) => {
    const eq = d.indexOf('=');
    return eq < 0 ? [d, undefined] : [d.slice(0, eq), unquote(d.slice(eq + 1))];
  });
}

const REMOTE = /^([a-z][a-z0-9+.-]*:\/\/|git@)/i;

export function dockerfileReads(text: string, buildArgs: Record<string, string> = {}): DockerfileReads {
  const globals: Record<string, string | undefined> = {};
  let vars: Record<string, string | undefined> = {};
  const stages = new Set<string>();
  const images: string[] = [];
  const sources: string[] = [];
  let wholeContext = false;
  let seenFrom = false;
  for (const { op, args } of parseInstructions(text)) {
    if (op === 'ARG') {
      for (const [name, value] of declarations(op, args)) {
        const resolved = name in buildArgs ? buildArgs[name] : value === undefined ? (seenFrom ? globals[name] : undefined) : (substituteKnown(value, seenFrom ? vars : globals) ?? undefined);
        if (seenFrom) vars[name] = resolved;
        else globals[name] = resolved;
      }
    } else if (op === 'ENV' && seenFrom) {
      for (const [name, value] of declarations(op, args)) vars[name] = value === undefined ? undefined : (substituteKnown(value, vars) ?? undefined);
    } else if (op === 'FROM') {
      seenFrom = true;
      vars = {};
      const { words } = splitFlags(args);
      const ref = substituteKnown(words[0] ?? '', globals) ?? words[0] ?? '';
      if (ref && ref.toLowerCase() !== 'scratch' && !stages.has(ref.toLowerCase())) images.push(ref);
      if (words[1]?.toUpperCase() === 'AS' && words[2]) stages.add(words[2].toLowerCase());
    } else if (op === 'COPY' || op === 'ADD') {
      const { flags, words } = splitFlags(args);
      if (flags.from) {
        const ref = substituteKnown(flags.from, vars) ?? flags.from;
        if (!/^\d+$/.test(ref) && !stages.has(ref.toLowerCase())) images.push(ref);
        continue;
      }
      for (const word of words.slice(0, -1)) {
        if (word.startsWith('<<')) continue; // a heredoc: its text is in the Dockerfile
        const source = substituteKnown(word, vars);
        if (source === null) wholeContext = true;
        else if (!(op === 'ADD' && REMOTE.test(source))) sources.push(source);
      }
    }
  }
  return { images: [...new Set(images)], sources: [...new Set(sources)], wholeContext };
}
