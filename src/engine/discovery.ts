// Engine discovery: an ordered chain of strategies, each returning an endpoint or
// undefined ("not applicable here"), each saying why in the debug log.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import { debug } from '../log.js';
import type { EngineEndpoint } from './types.js';

const log = debug('engine');

export interface DiscoveryInput {
  env: NodeJS.ProcessEnv;
  home: string;
  exists: (path: string) => boolean;
  readFile: (path: string) => string | undefined;
}

export type Strategy = { name: string; find: (input: DiscoveryInput) => EngineEndpoint | undefined };

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/** Parse a DOCKER_HOST-style URL. */
export function parseEngineUrl(url: string, source: string, env: NodeJS.ProcessEnv = {}): EngineEndpoint {
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length) || '/var/run/docker.sock';
    return { source, url: `unix://${socketPath}`, socketPath };
  }
  if (url.startsWith('/')) return { source, url: `unix://${url}`, socketPath: url };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EngineError(`${source}: "${url}" is not an engine address`, {
      hint: 'use unix:///var/run/docker.sock, tcp://HOST:2375, tcp://HOST:2376 (TLS) or ssh://USER@HOST',
    });
  }
  if (parsed.protocol === 'ssh:') {
    return {
      source,
      url,
      protocol: 'ssh',
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : 22,
      username: parsed.username || undefined,
    };
  }
  if (parsed.protocol === 'tcp:' || parsed.protocol === 'http:' || parsed.protocol === 'https:') {
    const tlsVerify = env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '0';
    const port = parsed.port ? Number(parsed.port) : tlsVerify ? 2376 : 2375;
    const useTls = parsed.protocol === 'https:' || tlsVerify || port === 2376;
    const endpoint: EngineEndpoint = { source, url, host: parsed.hostname, port, protocol: useTls ? 'https' : 'http' };
    if (useTls) {
      const dir = env.DOCKER_CERT_PATH ?? join(homedir(), '.docker');
      const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : undefined);
      endpoint.tls = { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
    }
    return endpoint;
  }
  throw new EngineError(`${source}: unsupported engine address "${url}"`, {
    hint: 'use unix://, tcp:// or ssh:// addresses',
  });
}

export const strategies: Strategy[] = [
  {
    name: 'DOCKER_HOST',
    find: ({ env }) => {
      if (!env.DOCKER_HOST) return void log('DOCKER_HOST is not set');
      log(`DOCKER_HOST=${env.DOCKER_HOST}`);
      return parseEngineUrl(env.DOCKER_HOST, 'DOCKER_HOST', env);
    },
  },
  {
    name: 'docker context',
    find: ({ env, home, readFile }) => {
      const configDir = env.DOCKER_CONFIG ?? join(home, '.docker');
      let current = env.DOCKER_CONTEXT;
      if (!current) {
        const text = readFile(join(configDir, 'config.json'));
        try {
          current = text ? (JSON.parse(text).currentContext as string | undefined) : undefined;
        } catch {
          log(`${configDir}/config.json is not JSON; ignoring its context`);
        }
      }
      if (!current || current === 'default') return void log('no docker context selected');
      const digest = createHash('sha256').update(current).digest('hex');
      const meta = readFile(join(configDir, 'contexts', 'meta', digest, 'meta.json'));
      if (!meta) return void log(`docker context ${current}: no metadata found`);
      const host = JSON.parse(meta)?.Endpoints?.docker?.Host as string | undefined;
      if (!host) return void log(`docker context ${current}: no docker endpoint`);
      return parseEngineUrl(host, `docker context ${current}`, env);
    },
  },
  {
    name: 'default socket',
    find: ({ exists }) => {
      const p = '/var/run/docker.sock';
      if (!exists(p)) return void log(`${p} does not exist`);
      return { source: 'default socket', url: `unix://${p}`, socketPath: p };
    },
  },
  {
    name: 'rootless socket',
    find: ({ env, exists }) => {
      const dir = env.XDG_RUNTIME_DIR ?? (process.getuid ? `/run/user/${process.getuid()}` : undefined);
      if (!dir) return undefined;
      for (const p of [join(dir, 'docker.sock'), join(dir, 'podman', 'podman.sock')]) {
        if (exists(p)) return { source: 'rootless socket', url: `unix://${p}`, socketPath: p };
      }
      return void log(`no rootless socket in ${dir}`);
    },
  },
  {
    name: 'podman socket',
    find: ({ exists }) => {
      const p = '/run/podman/podman.sock';
      if (!exists(p)) return void log(`${p} does not exist`);
      return { source: 'podman socket', url: `unix://${p}`, socketPath: p };
    },
  },
];

export function defaultDiscoveryInput(env: NodeJS.ProcessEnv = process.env): DiscoveryInput {
  return {
    env,
    home: homedir(),
    exists: isSocket,
    readFile: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** The first endpoint a strategy finds, or the default socket path (to name in errors). */
export function discoverEndpoint(input: DiscoveryInput = defaultDiscoveryInput()): EngineEndpoint {
  for (const s of strategies) {
    const found = s.find(input);
    if (found) {
      log(`using ${found.url} (from ${found.source})`);
      return found;
    }
  }
  return { source: 'nothing found', url: 'unix:///var/run/docker.sock', socketPath: '/var/run/docker.sock' };
}
