// `-v host:container[:ro]` and `--mount type=bind,source=…,target=…` → mounts.
// Relative host paths are relative to the project root; `~` is the home folder.
import { isAbsolute, join, resolve } from 'node:path';
import type { MountSpec } from '../engine/types.js';
import { ArgError } from './flags.js';

export interface PathContext {
  root: string;
  home: string;
}

const V_EXAMPLE = '-v /host/dir:/container/dir, -v ./data:/data:ro or -v named-volume:/data';
const M_EXAMPLE = '--mount type=bind,source=/host/dir,target=/container/dir[,readonly]';
const NAMED = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function hostPath(p: string, ctx: PathContext): string {
  if (p === '~' || p.startsWith('~/')) return join(ctx.home, p.slice(1));
  return isAbsolute(p) ? p : resolve(ctx.root, p);
}

function isPathLike(p: string): boolean {
  return p.startsWith('/') || p.startsWith('.') || p.startsWith('~');
}

function containerPath(p: string, spec: string, example: string): string {
  if (!p.startsWith('/')) throw new ArgError(`"${spec}": the container path "${p}" must be absolute`, `write it as ${example}`);
  return p;
}

export function parseVolumeSpec(spec: string, ctx: PathContext): MountSpec {
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw new ArgError(`"${spec}" is not a volume`, `write volumes as ${V_EXAMPLE}`);
  if (parts.length === 1) return { type: 'volume', target: containerPath(parts[0], spec, V_EXAMPLE) };
  const [source, target, options = ''] = parts;
  let readOnly = false;
  for (const opt of options.split(',').filter(Boolean)) {
    if (opt === 'ro' || opt === 'readonly') readOnly = true;
    else if (opt === 'rw' || opt === 'consistent' || opt === 'cached' || opt === 'delegated') readOnly = readOnly && opt !== 'rw';
    else throw new ArgError(`"${spec}": the volume option "${opt}" is not supported (ro or rw)`, `write volumes as ${V_EXAMPLE}`);
  }
  const t = containerPath(target, spec, V_EXAMPLE);
  if (isPathLike(source)) return { type: 'bind', source: hostPath(source, ctx), target: t, readOnly };
  if (!NAMED.test(source)) throw new ArgError(`"${spec}": "${source}" is neither a path nor a volume name`, `start host paths with /, ./ or ~/ (${V_EXAMPLE})`);
  return { type: 'volume', source, target: t, readOnly };
}

function boolOpt(key: string, value: string | undefined, spec: string): boolean {
  if (value === undefined || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ArgError(`"${spec}": ${key}=${value} is not true or false`, `write it as ${M_EXAMPLE}`);
}

export function parseMountSpec(spec: string, ctx: PathContext): MountSpec {
  let type: MountSpec['type'] = 'volume';
  let source: string | undefined;
  let target: string | undefined;
  let readOnly = false;
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : field.slice(eq + 1).trim();
    if (key === 'type') {
      if (value !== 'bind' && value !== 'volume' && value !== 'tmpfs') {
        throw new ArgError(`"${spec}": mount type "${value ?? ''}" is not supported (bind, volume or tmpfs)`, `write it as ${M_EXAMPLE}`);
      }
      type = value;
    } else if (key === 'source' || key === 'src') source = value;
    else if (key === 'target' || key === 'destination' || key === 'dst') target = value;
    else if (key === 'readonly' || key === 'ro') readOnly = boolOpt(key, value, spec);
    else throw new ArgError(`"${spec}": the mount option "${key}" is not supported (type, source, target, readonly)`, `write it as ${M_EXAMPLE}`);
  }
  if (!target) throw new ArgError(`"${spec}": the mount has no target`, `write it as ${M_EXAMPLE}`);
  const t = containerPath(target, spec, M_EXAMPLE);
  if (type === 'tmpfs') {
    if (source) throw new ArgError(`"${spec}": a tmpfs mount has no source`, 'drop source=… for type=tmpfs');
    return { type, target: t, readOnly };
  }
  if (!source) {
    if (type === 'bind') throw new ArgError(`"${spec}": a bind mount needs source=HOST_PATH`, `write it as ${M_EXAMPLE}`);
    return { type, target: t, readOnly };
  }
  if (type === 'bind') return { type, source: hostPath(source, ctx), target: t, readOnly };
  if (!NAMED.test(source)) throw new ArgError(`"${spec}": "${source}" is not a volume name`, 'use type=bind for a host folder');
  return { type, source, target: t, readOnly };
}
