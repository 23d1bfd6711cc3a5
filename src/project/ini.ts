// INI as Python's configparser reads it (seed 004's run.cfg comes from a Python tool), with
// the line of every section and key kept for error messages:
// `[section]`, `key = value` or `key: value`, whole-line comments (# or ;), values continued
// on indented lines, keys case-insensitive, a [DEFAULT] section whose keys every section
// inherits, and `%(key)s` / `%%` interpolation.
import { ConfigError } from '../errors.js';

export interface IniEntry {
  key: string;
  value: string;
  line: number;
  /** The line of each line of a value continued on indented lines. */
  lines?: number[];
}

export interface IniSection {
  name: string;
  line: number;
  entries: Map<string, IniEntry>;
}

export interface IniDocument {
  file: string;
  sections: IniSection[];
  defaults: Map<string, IniEntry>;
}

export function parseIni(file: string, text: string): IniDocument {
  const doc: IniDocument = { file, sections: [], defaults: new Map() };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let current: Map<string, IniEntry> | undefined;
  let last: IniEntry | undefined;
  let lastIndent = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const lineNo = i + 1;
    const trimmed = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) {
      continue;
    }
    if (last && indent > lastIndent) {
      last.value = last.value.trim() ? `${last.value}\n${trimmed}` : trimmed;
      last.lines = [...(last.lines ?? [last.line]), lineNo];
      continue;
    }
    const header = /^\[([^\]]*)\]\s*(?:[#;].*)?$/.exec(trimmed);
    if (header) {
      const name = header[1].trim();
      if (!name) throw new ConfigError(file, 'empty section name "[]"', { line: lineNo, hint: 'name the section after a folder in docker/, e.g. [dev]' });
      if (name === 'DEFAULT') current = doc.defaults;
      else {
        if (doc.sections.some((s) => s.name === name)) {
          const first = doc.sections.find((s) => s.name === name)!;
          throw new ConfigError(file, `section [${name}] appears twice (first at line ${first.line})`, { line: lineNo, hint: 'merge the two sections into one' });
        }
        const section: IniSection = { name, line: lineNo, entries: new Map() };
        doc.sections.push(section);
        current = section.entries;
      }
      last = undefined;
      continue;
    }
    if (trimmed.startsWith('[')) {
      throw new ConfigError(file, `"${trimmed}" is not a section header`, { line: lineNo, hint: 'write it as [name], with the closing bracket and nothing after it but a comment' });
    }
    if (!current) {
      throw new ConfigError(file, `"${trimmed}" is outside any section`, { line: lineNo, hint: 'start the file with a section header such as [dev]' });
    }
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (!m) {
      throw new ConfigError(file, `expected "key = value", got "${trimmed}"`, { line: lineNo, hint: 'each setting is key=value; indent a line to continue the value above' });
    }
    const key = m[1].toLowerCase();
    if (current.has(key)) {
      throw new ConfigError(file, `key "${key}" appears twice in this section (first at line ${current.get(key)!.line})`, { line: lineNo });
    }
    last = { key, value: m[2], line: lineNo };
    lastIndent = indent;
    current.set(key, last);
  }
  for (const e of [...doc.defaults.values(), ...doc.sections.flatMap((s) => [...s.entries.values()])]) e.value = e.value.trim();
  return doc;
}

/** A section's value for a key (its own, else [DEFAULT]'s), interpolated. */
export function iniGet(doc: IniDocument, section: IniSection, key: string): IniEntry | undefined {
  const entry = section.entries.get(key) ?? doc.defaults.get(key);
  if (!entry) return undefined;
  return { ...entry, value: interpolate(doc, section, entry, 0) };
}

/** Every key a section has, including the inherited ones. */
export function iniKeys(doc: IniDocument, section: IniSection): string[] {
  return [...new Set([...section.entries.keys(), ...doc.defaults.keys()])];
}

function interpolate(doc: IniDocument, section: IniSection, entry: IniEntry, depth: number): string {
  if (!entry.value.includes('%')) return entry.value;
  if (depth > 10) throw new ConfigError(doc.file, `"${entry.key}" refers to itself through %(…)s`, { line: entry.line });
  return entry.value.replace(/%(%|\(([^)]+)\)s)/g, (_all, what: string, ref?: string) => {
    if (what === '%') return '%';
    const name = ref!.toLowerCase();
    const target = section.entries.get(name) ?? doc.defaults.get(name);
    if (!target) {
      throw new ConfigError(doc.file, `"${entry.key}" refers to %(${ref})s, which is not set in [${section.name}] or [DEFAULT]`, {
        line: entry.line,
        hint: 'write %% for a literal percent sign',
      });
    }
    return interpolate(doc, section, target, depth + 1);
  });
}
