// Config texts this build has validated before. Building the zod schemas and validating take
// ~20 ms of every workspace command's start on a slow machine; a transfer.json changes far less
// often than it is read. A text is remembered only when validation returned it unchanged (the
// schema has no defaults or transforms), so a remembered text is its own validated value.
// Keyed by the build (a new build may have a new schema) and the text's sha256; at most
// MAX_ENTRIES texts; a cache that cannot be read or written is skipped, never an error.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const MAX_ENTRIES = 64;

interface Store {
  build: string;
  texts: string[];
}

export function validCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : tmpdir());
  return join(base, 'transferctl', 'valid-configs.json');
}

function keyOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function read(file: string, build: string): Store {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Store;
    if (s.build === build && Array.isArray(s.texts)) return s;
  } catch {
    // none yet, or unreadable: start afresh
  }
  return { build, texts: [] };
}

/** This build validated this exact text before (and it was valid). Without a build stamp: never. */
export function knownValid(text: string, build: string | undefined, file = validCacheFile()): boolean {
  if (!build) return false;
  return read(file, build).texts.includes(keyOf(text));
}

export function rememberValid(text: string, build: string | undefined, file = validCacheFile()): void {
  if (!build) return;
  try {
    const store = read(file, build);
    const key = keyOf(text);
    store.texts = [key, ...store.texts.filter((k) => k !== key)].slice(0, MAX_ENTRIES);
    mkdirSync(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(store));
    renameSync(tmp, file);
  } catch {
    // a read-only home: validate every time
  }
}
