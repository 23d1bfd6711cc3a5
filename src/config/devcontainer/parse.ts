// .devcontainer/devcontainer.json (or .devcontainer.json) → Devcontainer. JSON with comments;
// every error names file:line:column, the key, and what to write instead.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../../errors.js';
import { closest } from '../suggest.js';
import { locate, parseJsonc, type JsoncDocument } from '../jsonc.js';
import { replaceLocal, type LocalVariables } from './variables.js';
import type { Devcontainer, DevcontainerMount, LifecycleCommand, LifecycleStage } from './types.js';

export const DEVCONTAINER_FILES = ['.devcontainer/devcontainer.json', '.devcontainer.json'] as const;

/**
 * The folder's devcontainer.json, in the spec's order, or null: .devcontainer/devcontainer.json,
 * .devcontainer.json, then .devcontainer/<name>/devcontainer.json when exactly one folder has
 * one (several: an error naming them, since there is no one to choose from a prompt).
 */
export function findDevcontainer(root: string): string | null {
  for (const f of DEVCONTAINER_FILES) if (existsSync(join(root, f))) return join(root, f);
  const dir = join(root, '.devcontainer');
  let names: string[] = [];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return null;
  }
  const found = names.filter((n) => existsSync(join(dir, n, 'devcontainer.json')));
  if (found.length === 1) return join(dir, found[0], 'devcontainer.json');
  if (found.length > 1) {
    throw new ConfigError(dir, `${found.length} configurations (${found.map((n) => `${n}/devcontainer.json`).join(', ')}) and none at .devcontainer/devcontainer.json`, {
      hint: `copy the one to use to .devcontainer/devcontainer.json (e.g. cp .devcontainer/${found[0]}/devcontainer.json .devcontainer/), adjusting its relative paths`,
    });
  }
  return null;
}

const STAGES: LifecycleStage[] = ['onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand', 'postAttachCommand'];
const SUPPORTED = [
  'image', 'build', 'dockerFile', 'context', 'containerEnv', 'remoteEnv', 'mounts', 'forwardPorts', 'appPort', 'runArgs',
  'remoteUser', 'containerUser', 'workspaceFolder', 'workspaceMount', 'features', ...STAGES,
];
/** Settings for editors and other tools; they change nothing about the container. */
const IGNORED = [
  '$schema', 'name', 'customizations', 'extensions', 'settings', 'portsAttributes', 'otherPortsAttributes', 'shutdownAction',
  'waitFor', 'userEnvProbe', 'updateRemoteUserUID', 'hostRequirements', 'overrideCommand', 'overrideFeatureInstallOrder', 'init',
  'devPort', 'secrets',
];
/** Keys transferctl refuses, with the reason and what to do. */
const REFUSED: Record<string, [string, string]> = {
  dockerComposeFile: ['Docker Compose configs are not supported', 'use "image" or "build" with one Dockerfile'],
  service: ['Docker Compose configs are not supported', 'use "image" or "build" with one Dockerfile'],
  runServices: ['Docker Compose configs are not supported', 'use "image" or "build" with one Dockerfile'],
  initializeCommand: ['runs a command on this machine, which transferctl never does', 'do it in postCreateCommand (inside the container) or by hand'],
  privileged: ['widens what the container may do; transferctl does not allow it', 'remove it (a notebook needs no extra privileges)'],
  capAdd: ['widens what the container may do; transferctl does not allow it', 'remove it (a notebook needs no extra privileges)'],
  securityOpt: ['widens what the container may do; transferctl does not allow it', 'remove it (a notebook needs no extra privileges)'],
};

type Path = (string | number)[];

class Reader {
  constructor(readonly doc: JsoncDocument) {}
  fail(path: Path, message: string, hint?: string): never {
    // A key is shown where it is written; a list entry where it is.
    const last = path[path.length - 1];
    const where = typeof last === 'string' ? locate(this.doc, path.slice(0, -1), last) : locate(this.doc, path);
    throw new ConfigError(this.doc.file, `${path.length ? `${path.join('.')}: ` : ''}${message}`, { ...where, hint });
  }
  string(v: unknown, path: Path): string {
    if (typeof v !== 'string') this.fail(path, `expected a string, got ${JSON.stringify(v)}`);
    return v;
  }
  strings(v: unknown, path: Path): string[] {
    if (!Array.isArray(v)) this.fail(path, 'expected a list of strings', `write it as ["…", "…"]`);
    return v.map((x, i) => this.string(x, [...path, i]));
  }
  map(v: unknown, path: Path, allowNull = false): Record<string, string> {
    if (!v || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'expected an object of names and string values', 'write it as { "NAME": "value" }');
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === null && allowNull) continue;
      out[k] = this.string(x, [...path, k]);
    }
    return out;
  }
}

function lifecycle(r: Reader, v: unknown, path: Path): LifecycleCommand {
  if (typeof v === 'string') return { kind: 'shell', command: v };
  if (Array.isArray(v)) {
    const argv = r.strings(v, path);
    if (argv.length === 0) r.fail(path, 'the command list is empty', 'name a program, e.g. ["pip", "install", "-e", "."]');
    return { kind: 'exec', argv };
  }
  if (!v || typeof v !== 'object') r.fail(path, 'expected a command: a string, a list of strings, or an object of named commands');
  const commands: Extract<LifecycleCommand, { kind: 'parallel' }>['commands'] = {};
  for (const [name, c] of Object.entries(v)) {
    const one = lifecycle(r, c, [...path, name]);
    if (one.kind === 'parallel') r.fail([...path, name], 'a named command is a string or a list of strings');
    commands[name] = one;
  }
  return { kind: 'parallel', commands };
}

/** `source=…,target=…,type=bind[,consistency=…][,readonly]` → a bind mount. */
function workspaceMount(r: Reader, text: string, root: string): NonNullable<Devcontainer['workspaceMount']> {
  const fields = new Map(text.split(',').map((f) => [f.split('=')[0].trim().toLowerCase(), f.includes('=') ? f.slice(f.indexOf('=') + 1).trim() : 'true']));
  const type = fields.get('type') ?? 'bind';
  const source = fields.get('source') ?? fields.get('src');
  const target = fields.get('target') ?? fields.get('destination') ?? fields.get('dst');
  if (type !== 'bind' || !source || !target?.startsWith('/')) {
    r.fail(['workspaceMount'], `"${text}" is not a bind mount of a host folder`, 'write it as source=${localWorkspaceFolder},target=/workspace,type=bind');
  }
  const ro = fields.get('readonly') ?? fields.get('ro');
  return { source: isAbsolute(source) ? source : resolve(root, source), target, readOnly: ro === 'true' || ro === '1' };
}

function checkKeys(r: Reader, value: Record<string, unknown>): void {
  for (const key of Object.keys(value)) {
    if (SUPPORTED.includes(key) || IGNORED.includes(key)) continue;
    const refused = REFUSED[key];
    if (refused) r.fail([key], refused[0], refused[1]);
    const guess = closest(key, SUPPORTED);
    // Unknown keys belong to other tools and are ignored, unless they read as a typo of ours.
    if (guess) r.fail([key], `unknown key — did you mean "${guess}"?`);
  }
}

const BUILD_KEYS = ['dockerfile', 'context', 'args', 'target', 'cacheFrom'];

function build(r: Reader, value: Record<string, unknown>, base: string): Devcontainer['build'] {
  // `build: {…}`, or the older top-level `dockerFile` and `context`.
  const legacy = value.build === undefined;
  if (legacy && value.dockerFile === undefined) return undefined;
  const o = (legacy ? { dockerfile: value.dockerFile, context: value.context } : value.build) as Record<string, unknown>;
  const at = (k: string): Path => (legacy ? [k === 'dockerfile' ? 'dockerFile' : k] : ['build', k]);
  if (!o || typeof o !== 'object' || Array.isArray(o)) r.fail(['build'], 'expected an object', 'write it as { "dockerfile": "Dockerfile" }');
  for (const k of Object.keys(o)) {
    if (k === 'options') r.fail(at(k), 'build options are not supported (they pass any flag to docker build)', 'use "args" and "target"');
    const guess = closest(k, BUILD_KEYS);
    if (!BUILD_KEYS.includes(k)) r.fail(at(k), `unknown key${guess ? ` — did you mean "${guess}"?` : ''}`, `build takes ${BUILD_KEYS.join(', ')}`);
  }
  if (o.dockerfile === undefined) r.fail(['build'], 'build needs "dockerfile"', 'write "build": { "dockerfile": "Dockerfile" } (relative to devcontainer.json)');
  const dockerfile = resolve(base, r.string(o.dockerfile, at('dockerfile')));
  if (!existsSync(dockerfile)) r.fail(at('dockerfile'), `${dockerfile} does not exist`, 'the path is relative to the folder of devcontainer.json');
  const context = resolve(base, o.context === undefined ? '.' : r.string(o.context, at('context')));
  return {
    dockerfile,
    context,
    args: o.args === undefined ? {} : r.map(o.args, at('args')),
    target: o.target === undefined ? undefined : r.string(o.target, at('target')),
  };
}

function ports(r: Reader, value: Record<string, unknown>): Pick<Devcontainer, 'forwardPorts' | 'appPort'> {
  const forwardPorts: number[] = [];
  const fp = value.forwardPorts ?? [];
  if (!Array.isArray(fp)) r.fail(['forwardPorts'], 'expected a list of ports', 'write it as [8050, 6006]');
  fp.forEach((p, i) => {
    const m = typeof p === 'number' ? String(p) : typeof p === 'string' ? (/^(?:localhost:|127\.0\.0\.1:)?(\d+)$/.exec(p)?.[1] ?? null) : null;
    if (m === null || !(Number(m) >= 1 && Number(m) <= 65535)) {
      r.fail(['forwardPorts', i], `${JSON.stringify(p)} is not a port of this container`, 'list port numbers (1-65535); ports of other services (host:port) are not supported');
    }
    forwardPorts.push(Number(m));
  });
  const ap = value.appPort === undefined ? [] : Array.isArray(value.appPort) ? value.appPort : [value.appPort];
  ap.forEach((p, i) => {
    if (typeof p !== 'number' && typeof p !== 'string') r.fail(['appPort', ...(Array.isArray(value.appPort) ? [i] : [])], 'expected a port number or "host:container"');
  });
  return { forwardPorts, appPort: ap as (number | string)[] };
}

function mounts(r: Reader, value: unknown): DevcontainerMount[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) r.fail(['mounts'], 'expected a list of mounts', 'write it as ["source=/data,target=/data,type=bind"]');
  return value.map((m, i): DevcontainerMount => {
    if (typeof m === 'string') return { text: m };
    if (!m || typeof m !== 'object' || typeof (m as { target?: unknown }).target !== 'string') {
      r.fail(['mounts', i], 'expected a mount: "source=…,target=…,type=bind" or { "source": …, "target": …, "type": … }');
    }
    const o = m as Record<string, unknown>;
    return { type: o.type === undefined ? undefined : r.string(o.type, ['mounts', i, 'type']), source: o.source === undefined ? undefined : r.string(o.source, ['mounts', i, 'source']), target: o.target as string };
  });
}

/** Replace the variables everywhere in the value (strings only; keys stay). */
function substitute(v: unknown, vars: LocalVariables): unknown {
  if (typeof v === 'string') return replaceLocal(v, vars);
  if (Array.isArray(v)) return v.map((x) => substitute(x, vars));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, vars)]));
  return v;
}

export function parseDevcontainer(file: string, root: string, ctx: { devcontainerId: string; env?: NodeJS.ProcessEnv }): Devcontainer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, `cannot read: ${(err as Error).message}`);
  }
  const doc = parseJsonc(file, text, 'devcontainer.json is JSON; comments and trailing commas are allowed.');
  const r = new Reader(doc);
  if (!doc.value || typeof doc.value !== 'object' || Array.isArray(doc.value)) r.fail([], 'expected an object', 'write it as { "image": "…" } or { "build": { "dockerfile": "Dockerfile" } }');
  checkKeys(r, doc.value as Record<string, unknown>);
  const local: LocalVariables = { localWorkspaceFolder: root, devcontainerId: ctx.devcontainerId, env: ctx.env ?? process.env };
  // workspaceMount and workspaceFolder first: ${containerWorkspaceFolder} elsewhere is the latter.
  const first = doc.value as Record<string, unknown>;
  const mount = first.workspaceMount === undefined ? undefined : workspaceMount(r, replaceLocal(r.string(first.workspaceMount, ['workspaceMount']), local), root);
  // As the Dev Containers CLI does: the folder at /workspaces/<folder> unless workspaceMount
  // says otherwise; workspaceFolder (default: that place) is where tools start.
  const mountTarget = mount?.target ?? `/workspaces/${root.split('/').filter(Boolean).pop() ?? 'workspace'}`;
  const folder = first.workspaceFolder === undefined ? mountTarget : replaceLocal(r.string(first.workspaceFolder, ['workspaceFolder']), local);
  if (!folder.startsWith('/')) r.fail(['workspaceFolder'], `"${folder}" is not an absolute path in the container`, 'write it as /workspaces/NAME');
  const value = substitute(first, { ...local, containerWorkspaceFolder: folder }) as Record<string, unknown>;
  const base = dirname(file);

  if (value.image !== undefined && (value.build !== undefined || value.dockerFile !== undefined)) {
    r.fail(['image'], 'both "image" and "build" are set', 'keep one: "image" runs an image as it is, "build" builds a Dockerfile');
  }
  const image = value.image === undefined ? undefined : r.string(value.image, ['image']);
  const b = build(r, value, base);
  if (!image && !b) r.fail([], 'neither "image" nor "build" is set', 'add "image": "NAME" or "build": { "dockerfile": "Dockerfile" }');
  const lifecycleCommands: Devcontainer['lifecycle'] = {};
  for (const s of STAGES) if (value[s] !== undefined) lifecycleCommands[s] = lifecycle(r, value[s], [s]);
  if (value.features !== undefined && (!value.features || typeof value.features !== 'object' || Array.isArray(value.features))) {
    r.fail(['features'], 'expected an object of feature ids and their options');
  }
  const features = Object.keys((value.features ?? {}) as object);
  return {
    file,
    doc,
    image,
    build: b,
    containerEnv: value.containerEnv === undefined ? {} : r.map(value.containerEnv, ['containerEnv']),
    remoteEnv: value.remoteEnv === undefined ? {} : r.map(value.remoteEnv, ['remoteEnv'], true),
    mounts: mounts(r, value.mounts),
    ...ports(r, value),
    runArgs: value.runArgs === undefined ? [] : r.strings(value.runArgs, ['runArgs']),
    lifecycle: lifecycleCommands,
    remoteUser: value.remoteUser === undefined ? undefined : r.string(value.remoteUser, ['remoteUser']),
    containerUser: value.containerUser === undefined ? undefined : r.string(value.containerUser, ['containerUser']),
    workspaceFolder: folder,
    workspaceMount: mount,
    mountTarget,
    features,
  };
}
