// What a Dockerfile builds on: its FROM (and COPY --from) images after ARG substitution,
// and the ARGs it declares (so only those build args are passed).

export interface DockerfileFacts {
  /** Images it reads, stages of its own left out. */
  images: string[];
  /** Every ARG it declares. */
  args: string[];
}

/** Instructions with continuation lines joined and comments dropped. */
export function instructions(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!current && (line === '' || line.startsWith('#'))) continue;
    if (current && line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      continue;
    }
    current += line;
    if (current.trim()) out.push(current.trim());
    current = '';
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** $VAR, ${VAR}, ${VAR:-default}, ${VAR:+alternative}. */
export function substitute(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced, op, word, bare) => {
    const v = vars[braced ?? bare];
    if (op === '-') return v ? v : word;
    if (op === '+') return v ? word : '';
    return v ?? '';
  });
}

export function dockerfileFacts(text: string, buildArgs: Record<string, string> = {}): DockerfileFacts {
  const globals: Record<string, string | undefined> = {};
  const args = new Set<string>();
  const stages = new Set<string>();
  const images: string[] = [];
  let seenFrom = false;
  for (const ins of instructions(text)) {
    const [word, ...rest] = ins.split(/\s+/);
    const op = word.toUpperCase();
    if (op === 'ARG') {
      for (const decl of rest) {
        const eq = decl.indexOf('=');
        const name = eq < 0 ? decl : decl.slice(0, eq);
        args.add(name);
        if (!seenFrom) globals[name] = buildArgs[name] ?? (eq < 0 ? undefined : substitute(decl.slice(eq + 1).replace(/^["']|["']$/g, ''), globals));
      }
    } else if (op === 'FROM') {
      seenFrom = true;
      const parts = rest.filter((p) => !p.startsWith('--'));
      const ref = substitute(parts[0] ?? '', globals);
      if (ref && ref !== 'scratch' && !stages.has(ref.toLowerCase())) images.push(ref);
      if (parts[1]?.toUpperCase() === 'AS' && parts[2]) stages.add(parts[2].toLowerCase());
    } else if (op === 'COPY') {
      const from = rest.find((p) => p.startsWith('--from='));
      const ref = from ? substitute(from.slice(7), globals) : undefined;
      if (ref && !/^\d+$/.test(ref) && !stages.has(ref.toLowerCase())) images.push(ref);
    }
  }
  return { images: [...new Set(images)], args: [...args] };
}

/** "name" → "name:latest" (digests and explicit tags kept). */
export function normalizeRef(ref: string): string {
  if (ref.includes('@')) return ref;
  const slash = ref.lastIndexOf('/');
  return ref.lastIndexOf(':') > slash ? ref : `${ref}:latest`;
}
