// docker/run.cfg (seed 004) → profiles. Every error names the file, line, section and key.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { closest } from '../config/suggest.js';
import { iniGet, iniKeys, parseIni, type IniDocument, type IniEntry, type IniSection } from './ini.js';
import { ArgError } from './flags.js';
import { words } from './docker-args.js';
import { emptyProfile, PROFILE_KEYS, type Profile, type ProfileKey } from './profile.js';
import { applySetting, type ProfileContext } from './settings.js';

export type { ProfileContext } from './settings.js';

export const RUN_SECTIONS = ['run_image', 'run-image'];


function fail(file: string, section: string, entry: { key: string; line: number }, err: unknown): never {
  if (err instanceof ArgError) {
    throw new ConfigError(file, `[${section}] ${entry.key}: ${err.message}`, { line: entry.line, hint: err.hint });
  }
  throw err;
}

/** For a value on several lines, the line that holds the bad entry (each line tried alone). */
function badLine(entry: IniEntry, key: ProfileKey, ctx: ProfileContext): number {
  if (!entry.lines || entry.lines.length < 2) return entry.line;
  const parts = entry.value.split('\n');
  for (let i = 0; i < parts.length; i++) {
    try {
      applySetting(emptyProfile('', '', false), key, parts[i], ctx);
    } catch {
      return entry.lines[i] ?? entry.line;
    }
  }
  return entry.line;
}

function checkKey(doc: IniDocument, section: IniSection, key: string): void {
  if ((PROFILE_KEYS as readonly string[]).includes(key)) return;
  const entry = section.entries.get(key) ?? doc.defaults.get(key)!;
  const guess = closest(key, PROFILE_KEYS);
  throw new ConfigError(doc.file, `[${section.name}] unknown key "${key}"${guess ? ` — did you mean "${guess}"?` : ''}`, {
    line: entry.line,
    hint: `keys in an image section: ${PROFILE_KEYS.join(', ')}`,
  });
}

function syntheticNames(doc: IniDocument): { names: string[]; section?: IniSection } {
  const section = doc.sections.find((s) => RUN_SECTIONS.includes(s.name));
  if (!section) return { names: [] };
  for (const key of section.entries.keys()) {
    if (key !== 'synthetic_images') {
      const e = section.entries.get(key)!;
      throw new ConfigError(doc.file, `[${section.name}] unknown key "${key}"`, { line: e.line, hint: 'this section takes only synthetic_images=NAME, NAME…' });
    }
  }
  const entry = iniGet(doc, section, 'synthetic_images');
  if (!entry) return { names: [], section };
  let names: string[];
  try {
    names = words(entry.value.replace(/,/g, ' '));
  } catch (err) {
    fail(doc.file, section.name, entry, err);
  }
  for (const n of names) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(n)) {
      throw new ConfigError(doc.file, `[${section.name}] synthetic_images: "${n}" is not a name`, { line: entry.line, hint: 'list names separated by commas or spaces' });
    }
  }
  return { names, section };
}

function sectionProfile(doc: IniDocument, section: IniSection, ctx: ProfileContext, synthetic: boolean): Profile {
  const keys = iniKeys(doc, section);
  for (const k of keys) checkKey(doc, section, k);
  let image = section.name;
  const nameEntry = iniGet(doc, section, 'name');
  if (synthetic) {
    if (!nameEntry || !nameEntry.value) {
      throw new ConfigError(doc.file, `[${section.name}] is a synthetic image but has no "name" (the docker/ folder it runs)`, {
        line: section.line,
        hint: `add name=FOLDER, one of: ${ctx.folders.join(', ')}`,
      });
    }
    image = nameEntry.value;
    if (!ctx.folders.includes(image)) {
      const guess = closest(image, ctx.folders);
      throw new ConfigError(doc.file, `[${section.name}] name: "${image}" is not a folder in docker/${guess ? ` — did you mean "${guess}"?` : ''}`, {
        line: nameEntry.line,
        hint: `image folders: ${ctx.folders.join(', ')}`,
      });
    }
  } else if (section.entries.has('name')) {
    const e = section.entries.get('name')!;
    throw new ConfigError(doc.file, `[${section.name}] name: only synthetic images take "name"`, {
      line: e.line,
      hint: `list ${section.name} in [run_image] synthetic_images=…, or remove the key`,
    });
  }
  const profile = emptyProfile(section.name, image, synthetic);
  profile.origin.section = { file: doc.file, line: section.line, where: `[${section.name}]` };
  for (const key of keys as ProfileKey[]) {
    const entry = iniGet(doc, section, key) as IniEntry;
    profile.origin[key] = { file: doc.file, line: entry.line, where: `[${section.name}] ${key}` };
    try {
      applySetting(profile, key, entry.value, ctx);
    } catch (err) {
      fail(doc.file, section.name, { key, line: badLine(entry, key, ctx) }, err);
    }
  }
  return profile;
}

export function profilesFromIni(doc: IniDocument, ctx: ProfileContext): Profile[] {
  const { names: synthetic, section: runSection } = syntheticNames(doc);
  const out: Profile[] = [];
  for (const name of synthetic) {
    if (ctx.folders.includes(name)) {
      throw new ConfigError(doc.file, `[${runSection!.name}] synthetic_images: "${name}" is already an image folder (docker/${name})`, {
        line: runSection!.entries.get('synthetic_images')!.line,
        hint: 'give the synthetic image another name',
      });
    }
    if (!doc.sections.some((s) => s.name === name)) {
      throw new ConfigError(doc.file, `[${runSection!.name}] synthetic_images lists "${name}", but there is no [${name}] section`, {
        line: runSection!.entries.get('synthetic_images')!.line,
        hint: `add [${name}] with name=FOLDER (one of: ${ctx.folders.join(', ')})`,
      });
    }
  }
  for (const section of doc.sections) {
    if (RUN_SECTIONS.includes(section.name)) continue;
    const isSynthetic = synthetic.includes(section.name);
    if (!isSynthetic && !ctx.folders.includes(section.name)) {
      const guess = closest(section.name, [...ctx.folders, ...synthetic]);
      throw new ConfigError(doc.file, `section [${section.name}] is neither a folder in docker/ nor a synthetic image${guess ? ` — did you mean [${guess}]?` : ''}`, {
        line: section.line,
        hint: `image folders: ${ctx.folders.join(', ')}; list synthetic images in [run_image] synthetic_images=…`,
      });
    }
    out.push(sectionProfile(doc, section, ctx, isSynthetic));
  }
  return out;
}

export function loadRunCfg(file: string, ctx: ProfileContext): Profile[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, `cannot read: ${(err as Error).message}`);
  }
  return profilesFromIni(parseIni(file, text), ctx);
}
