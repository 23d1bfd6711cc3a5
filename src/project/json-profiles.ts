// transfer.json `profiles` → the same Profile model run.cfg gives. Strings may use run.cfg's
// docker-style syntax; lists and objects are the structured form. Errors at file:line:col.
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { closest } from '../config/suggest.js';
import { locate, type JsoncDocument } from '../config/jsonc.js';
import type { TransferConfig } from '../config/schema.js';
import { ArgError } from './flags.js';
import { parseGpu, parseGpuRequest } from './docker-args.js';
import { parsePortSpec } from './port-spec.js';
import { parseVolumeSpec } from './volume-spec.js';
import { DEFAULT_GPU, emptyProfile, type Profile, type ProfileKey } from './profile.js';
import { applySetting, type ProfileContext } from './settings.js';
import { replaceVariables } from './variables.js';

type JsonProfile = NonNullable<TransferConfig['profiles']>[string];

function hostPath(p: string, ctx: ProfileContext): string {
  if (p === '~' || p.startsWith('~/')) return join(ctx.vars.home, p.slice(1));
  return isAbsolute(p) ? p : resolve(ctx.vars['project-root'], p);
}

function applyJson(profile: Profile, key: ProfileKey, value: unknown, ctx: ProfileContext, at: (i?: number) => void): void {
  const sub = (s: string) => replaceVariables(s, ctx.vars);
  if (typeof value === 'string' && key !== 'gpu') return applySetting(profile, key, value, ctx);
  switch (key) {
    case 'environment':
      for (const [k, v] of Object.entries(value as Record<string, string>)) profile.env[k] = sub(v);
      return;
    case 'gpu':
      if (value === false) return;
      if (value === true || value === 'all') profile.gpu = DEFAULT_GPU;
      else if (typeof value === 'number') profile.gpu = { request: { count: value }, env: {} };
      else if (Array.isArray(value)) profile.gpu = { request: parseGpuRequest(`device=${value.join(',')}`), env: {} };
      else profile.gpu = parseGpu(sub(value as string), ctx.hostEnv);
      return;
    case 'cmd':
      profile.cmd = (value as string[]).map(sub);
      return;
    case 'volumes':
      (value as (string | { type?: 'bind' | 'volume' | 'tmpfs'; source?: string; target: string; 'read-only'?: boolean })[]).forEach((v, i) => {
        at(i);
        if (typeof v === 'string') {
          profile.mounts.push(parseVolumeSpec(sub(v), { root: ctx.vars['project-root'], home: ctx.vars.home }));
          return;
        }
        const source = v.source === undefined ? undefined : sub(v.source);
        const type = v.type ?? (source && /^[/.~]/.test(source) ? 'bind' : source ? 'volume' : 'tmpfs');
        if (type === 'bind' && !source) throw new ArgError('a bind mount needs a source', 'add "source": "./folder"');
        profile.mounts.push({ type, source: type === 'bind' ? hostPath(source!, ctx) : source, target: v.target, readOnly: v['read-only'] ?? false });
      });
      return;
    case 'ports':
      (value as (string | number)[]).forEach((p, i) => {
        at(i);
        profile.ports.push(...parsePortSpec(typeof p === 'number' ? `${p}:${p}` : p));
      });
      return;
  }
}

export function profilesFromJson(raw: TransferConfig, doc: JsoncDocument, ctx: ProfileContext): Profile[] {
  const out: Profile[] = [];
  for (const [name, p] of Object.entries(raw.profiles ?? {}) as [string, JsonProfile][]) {
    const image = p.image ?? name;
    if (!ctx.folders.includes(image)) {
      const path = p.image ? ['profiles', name, 'image'] : ['profiles', name];
      const guess = closest(image, ctx.folders);
      throw new ConfigError(doc.file, `profiles.${name}${p.image ? '.image' : ''}: "${image}" is not a folder in docker/${guess ? ` — did you mean "${guess}"?` : ''}`, {
        ...locate(doc, path),
        hint: `image folders: ${ctx.folders.join(', ')}${p.image ? '' : '; a synthetic profile names its folder with "image"'}`,
      });
    }
    const profile = emptyProfile(name, image, image !== name);
    profile.origin.section = { file: doc.file, ...locate(doc, ['profiles', name]), where: `profiles.${name}` };
    for (const [key, value] of Object.entries(p)) {
      if (key === 'image' || value === undefined) continue;
      const k = key as ProfileKey;
      let path: (string | number)[] = ['profiles', name, key];
      profile.origin[k] = { file: doc.file, ...locate(doc, path), where: `profiles.${name}.${key}` };
      try {
        applyJson(profile, k, value, ctx, (i) => (path = i === undefined ? path : ['profiles', name, key, i]));
      } catch (err) {
        if (!(err instanceof ArgError)) throw err;
        throw new ConfigError(doc.file, `profiles.${name}.${key}: ${err.message}`, { ...locate(doc, path), hint: err.hint });
      }
    }
    out.push(profile);
  }
  return out;
}
