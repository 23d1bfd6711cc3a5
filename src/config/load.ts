// Find and load a workspace config (transfer.json, transfer-control.json, or none at all).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { ConfigError, UserError } from '../errors.js';
import { locate, parseJsonc, type JsoncDocument } from './jsonc.js';
import { validate } from './validate.js';
import { isDeepStrictEqual } from 'node:util';
import { schemas, type TransferConfig } from './schema.js';
import { knownValid, rememberValid } from './valid-cache.js';
import { BUILD_STAMP } from '../build-stamp.js';
import { parseSize } from './size.js';
import type { GpuRequest, WorkspaceSpec } from './types.js';
import { findDevcontainer, parseDevcontainer } from './devcontainer/parse.js';

export const CONFIG_NAMES = ['transfer.json', 'transfer-control.json'] as const;
export const DEFAULT_MOUNT_POINT = '/home/jovyan/work';
export const DEFAULT_JUPYTER_PORT = 8888;

export interface LoadOptions {
  cwd?: string;
  /** An explicit config path (first positional argument or --config). */
  config?: string;
  /** Fail when the host folder does not exist (commands that mount it). */
  needHostDir?: boolean;
}

export function findConfig(cwd: string, explicit?: string): string | null {
  if (explicit) {
    const p = resolve(cwd, explicit);
    if (!existsSync(p)) {
      throw new UserError(`config file not found: ${p}`, {
        hint: 'check the path, or run `transferctl init` to write a transfer.json here',
        exitCode: 2,
      });
    }
    if (statSync(p).isDirectory()) {
      const inner = CONFIG_NAMES.map((n) => join(p, n)).find((f) => existsSync(f));
      if (inner) return inner;
      throw new UserError(`no ${CONFIG_NAMES.join(' or ')} in folder ${p}`, { exitCode: 2, hint: 'run `transferctl init` there' });
    }
    return p;
  }
  for (const n of CONFIG_NAMES) {
    const p = join(cwd, n);
    if (existsSync(p)) return p;
  }
  return null;
}

export function readConfig(file: string): TransferConfig {
  return readConfigDocument(file).raw;
}

export function readConfigDocument(file: string): { raw: TransferConfig; doc: JsoncDocument } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, `cannot read: ${(err as Error).message}`);
  }
  const doc = parseJsonc(file, text);
  if (knownValid(text, BUILD_STAMP)) return { raw: doc.value as TransferConfig, doc };
  const raw = validate(schemas().transferConfigSchema, doc);
  if (isDeepStrictEqual(raw, doc.value)) rememberValid(text, BUILD_STAMP);
  return { raw, doc };
}

export function workspaceId(identity: string): string {
  return createHash('sha256').update(identity).digest('hex').slice(0, 10);
}

function slug(text: string): string {
  const s = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return s.slice(0, 40) || 'workspace';
}

function gpuRequest(gpu: TransferConfig['gpu']): GpuRequest | undefined {
  if (gpu === undefined || gpu === false) return undefined;
  if (gpu === true || gpu === 'all') return { count: -1 };
  if (typeof gpu === 'number') return { count: gpu };
  return { deviceIds: gpu };
}

/** Turn a validated config into a WorkspaceSpec. Pure apart from checking files exist. */
export function resolveWorkspace(raw: TransferConfig, where: { configPath: string | null; root: string }): WorkspaceSpec {
  const { configPath, root } = where;
  const identity = configPath ?? root;
  const id = workspaceId(identity);
  const folder = slug(basename(root));
  const file = configPath ?? root;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(root, p));

  let dockerfile: string | null = null;
  let dockerfileFrom: WorkspaceSpec['image']['dockerfileFrom'] = null;
  if (raw.image?.dockerfile) {
    dockerfileFrom = 'config';
    dockerfile = abs(raw.image.dockerfile);
    if (!existsSync(dockerfile)) {
      throw new ConfigError(file, `image.dockerfile: ${dockerfile} does not exist`, { hint: 'fix the path, or remove the key to use transferctl\'s own Jupyter Dockerfile' });
    }
  } else if (existsSync(join(root, 'Dockerfile'))) {
    dockerfile = join(root, 'Dockerfile');
    dockerfileFrom = 'folder';
  }
  const context = raw.image?.context ? abs(raw.image.context) : dockerfile ? dirname(dockerfile) : root;

  // A devcontainer.json counts unless transfer.json names a Dockerfile; its workspaceMount and
  // workspaceFolder say where the folder goes (transfer.json's volume keys still win).
  const dcFile = dockerfileFrom === 'config' ? null : findDevcontainer(root);
  const devcontainer = dcFile ? parseDevcontainer(dcFile, root, { devcontainerId: id }) : undefined;
  const hostDir = raw.volume?.['host-directory'] ? abs(raw.volume['host-directory']) : (devcontainer?.workspaceMount?.source ?? root);
  const mode = raw.jupyter?.mode ?? (raw.jupyter?.command ? 'none' : 'lab');
  if (mode === 'none' && !raw.jupyter?.command) {
    throw new ConfigError(file, 'jupyter.mode "none" needs jupyter.command (the command to run)');
  }

  return {
    id,
    identity,
    configPath,
    root,
    containerName: raw.container?.name ?? `tc-${folder}-${id.slice(0, 6)}`,
    image: {
      name: raw.image?.name ?? `tc-${folder}-${id.slice(0, 6)}`,
      dockerfile,
      dockerfileFrom,
      context,
      base: raw.image?.base,
      buildArgs: raw.image?.['build-args'] ?? {},
      target: raw.image?.target,
      pull: raw.image?.pull ?? false,
      cacheRepo: raw.image?.['cache-repo'],
    },
    volume: {
      hostDir,
      mountPoint: raw.volume?.['mount-point'] ?? devcontainer?.mountTarget ?? DEFAULT_MOUNT_POINT,
      readOnly: raw.volume?.['read-only'] ?? devcontainer?.workspaceMount?.readOnly ?? false,
    },
    commit: raw.commit,
    jupyter: {
      mode,
      command: raw.jupyter?.command,
      port: raw.jupyter?.port ?? DEFAULT_JUPYTER_PORT,
      args: raw.jupyter?.args ?? [],
    },
    publish: { port: raw.publish?.port, address: raw.publish?.address ?? '127.0.0.1' },
    env: raw.environment ?? {},
    sshAgent: raw['ssh-agent'] ?? false,
    gpu: gpuRequest(raw.gpu),
    resources: {
      memoryBytes: raw.resources?.memory ? parseSize(raw.resources.memory) : undefined,
      nanoCpus: raw.resources?.cpus ? Math.round(raw.resources.cpus * 1e9) : undefined,
      shmBytes: raw.resources?.['shm-size'] ? parseSize(raw.resources['shm-size']) : undefined,
    },
    userMapping: raw['user-mapping'] ?? true,
    devcontainer,
    raw,
  };
}

/** Load the workspace for a command: explicit config, a config in cwd, or zero-config defaults. */
export function loadWorkspace(opts: LoadOptions = {}): WorkspaceSpec {
  const cwd = opts.cwd ?? process.cwd();
  const configPath = findConfig(cwd, opts.config);
  if (!configPath) return resolveWorkspace({}, { configPath: null, root: resolve(cwd) });
  const { raw, doc } = readConfigDocument(configPath);
  const spec = resolveWorkspace(raw, { configPath, root: dirname(configPath) });
  if (opts.needHostDir && !isDirectory(spec.volume.hostDir)) {
    throw new ConfigError(configPath, `volume.host-directory: folder ${spec.volume.hostDir} does not exist`, {
      ...locate(doc, ['volume', 'host-directory']),
      hint: `create it (mkdir -p ${spec.volume.hostDir}) or point host-directory at your work folder`,
    });
  }
  return spec;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
