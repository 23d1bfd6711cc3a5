// Load serve.json (JSONC, errors at file:line:col) and resolve it into a ServeSpec: plain data.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, UserError } from '../errors.js';
import { parseJsonc } from '../config/jsonc.js';
import { validate } from '../config/validate.js';
import { parseSize } from '../config/size.js';
import { serveConfigSchema, type ServeConfig } from './config-schema.js';

export interface ServeSpec {
  name: string;
  file: string | null;
  image: string;
  /** "engine": containers on the engine reached; "swarm": a service per visitor (backend/swarm-*.ts). */
  backend: 'engine' | 'swarm';
  swarm?: { constraints: string[]; preferences: string[] };
  /** SSH targets of swarm nodes (key: node ID, hostname or label=value), for --prepare-nodes. */
  nodes?: Record<string, string>;
  listen: { address: string; port: number; trustedProxies: string[]; maxConnections: number; perAddress: number };
  /** visitors.host: "*.nb.example.org" gives each visitor its own subdomain. */
  visitorsHost?: string;
  pool: { size: number; capacity: number; parallelStarts: number; queue: number; perAddress?: number; perNode?: number; startsPerMinute: number };
  /** diskBytes undefined: no disk limit (limits.disk: false). */
  limits: { memoryBytes: number; nanoCpus: number; pids: number; diskBytes?: number };
  cull: { idleMs: number; maxAgeMs: number; intervalMs: number };
  jupyter: { command?: string[]; args: string[]; port: number; path?: string };
  user: string;
  env: Record<string, string>;
  internet: boolean;
  /** Install the host firewall rules for the service network (host-firewall.ts). */
  hostFirewall: boolean;
  proxyTo: 'auto' | 'address' | 'port';
  adminTokenEnv: string;
  /** The admin's own listener; port undefined: the visitors' port + 1 (see adminPort). */
  adminListen: { address: string; port?: number };
}

export const DEFAULT_CONFIG_NAME = 'serve.json';

export function resolveServe(raw: ServeConfig, file: string | null): ServeSpec {
  const size = raw.pool?.size ?? 3;
  const capacity = raw.pool?.capacity ?? Math.max(20, size);
  if (size > capacity) {
    throw new ConfigError(file ?? '(config)', `pool.size (${size}) is larger than pool.capacity (${capacity})`, {
      hint: 'the warm pool counts against the capacity: lower pool.size or raise pool.capacity',
    });
  }
  for (const [field, set] of [['placement', !!raw.placement], ['pool.per-node', raw.pool?.['per-node'] !== undefined], ['nodes', !!raw.nodes]] as const) {
    if (set && raw.backend !== 'swarm') {
      throw new ConfigError(file ?? '(config)', `"${field}" is for "backend": "swarm" only`, { hint: `add "backend": "swarm", or remove "${field}"` });
    }
  }
  if (raw.backend === 'swarm' && raw.network?.internet === false) {
    throw new ConfigError(file ?? '(config)', '"network": { "internet": false } is not available with "backend": "swarm"', {
      hint: 'a notebook published in Swarm\'s host mode needs its node\'s gateway bridge, which reaches out too: filter it with the nodes\' firewall, and leave "internet" out',
    });
  }
  const listenPort = raw.listen?.port ?? 8000;
  if (raw.admin?.listen?.port !== undefined && raw.admin.listen.port !== 0 && raw.admin.listen.port === listenPort) {
    throw new ConfigError(file ?? '(config)', `admin.listen.port (${listenPort}) is the visitors' port`, {
      hint: 'the admin needs its own port (its own origin): choose another admin.listen.port, or leave it out for the visitors\' port + 1',
    });
  }
  return {
    name: raw.name ?? 'workshop',
    file,
    image: raw.image,
    backend: raw.backend ?? 'engine',
    ...(raw.nodes && { nodes: raw.nodes }),
    swarm: raw.backend === 'swarm' ? { constraints: raw.placement?.constraints ?? [], preferences: raw.placement?.preferences ?? [] } : undefined,
    listen: {
      address: raw.listen?.address ?? '127.0.0.1',
      port: raw.listen?.port ?? 8000,
      trustedProxies: raw.listen?.['trusted-proxies'] ?? [],
      maxConnections: raw.listen?.['max-connections'] ?? 4096,
      perAddress: raw.listen?.['connections-per-address'] ?? 512,
    },
    visitorsHost: raw.visitors?.host?.toLowerCase(),
    pool: {
      size,
      capacity,
      parallelStarts: raw.pool?.['parallel-starts'] ?? 2,
      queue: raw.pool?.queue ?? 2 * capacity,
      perAddress: raw.pool?.['per-address'],
      ...(raw.pool?.['per-node'] !== undefined && { perNode: raw.pool['per-node'] }),
      startsPerMinute: raw.pool?.['starts-per-minute'] ?? 300,
    },
    limits: {
      memoryBytes: parseSize(raw.limits?.memory ?? '1g'),
      nanoCpus: Math.round((raw.limits?.cpus ?? 1) * 1e9),
      pids: raw.limits?.pids ?? 256,
      diskBytes: raw.limits?.disk === false ? undefined : parseSize(raw.limits?.disk ?? '512m'),
    },
    cull: {
      idleMs: (raw.cull?.idle ?? 600) * 1000,
      maxAgeMs: (raw.cull?.['max-age'] ?? 28_800) * 1000,
      intervalMs: (raw.cull?.interval ?? 30) * 1000,
    },
    jupyter: {
      command: raw.jupyter?.command,
      args: raw.jupyter?.args ?? [],
      port: raw.jupyter?.port ?? 8888,
      path: raw.jupyter?.path?.replace(/^\/+/, ''),
    },
    user: raw.user ?? '1000:100',
    env: raw.environment ?? {},
    internet: raw.network?.internet ?? true,
    hostFirewall: raw.network?.['host-firewall'] ?? true,
    proxyTo: raw.network?.['proxy-to'] ?? 'auto',
    adminTokenEnv: raw.admin?.['token-env'] ?? 'TRANSFERCTL_SERVE_ADMIN_TOKEN',
    adminListen: { address: raw.admin?.listen?.address ?? '127.0.0.1', port: raw.admin?.listen?.port },
  };
}

/** The admin listener's port: as configured, else the visitors' port + 1 (0 stays 0: the system chooses). */
export function adminPort(spec: { listen: { port: number }; adminListen: ServeSpec['adminListen'] }): number {
  if (spec.adminListen.port !== undefined) return spec.adminListen.port;
  return spec.listen.port === 0 ? 0 : spec.listen.port + 1;
}

/** Read, validate and resolve a serve config file. */
export function loadServeConfig(path: string, cwd = process.cwd()): ServeSpec {
  const file = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UserError(missing ? `serve config not found: ${file}` : `cannot read ${file}: ${(err as Error).message}`, {
      hint: missing ? 'write one: { "image": "my-workshop-image" } is enough (see `transferctl serve --schema`)' : undefined,
      exitCode: 2,
    });
  }
  let doc;
  try {
    doc = parseJsonc(file, text);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const message = err.message.slice(err.message.indexOf(': ') + 2);
    throw new ConfigError(file, message, { line: err.line, column: err.column, hint: 'serve.json is JSON; comments and trailing commas are allowed' });
  }
  return resolveServe(validate(serveConfigSchema, doc), file);
}
