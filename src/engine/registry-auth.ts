// Registry credentials from the user's Docker config, as the docker CLI finds them:
// $DOCKER_CONFIG/config.json (or ~/.docker/config.json): `credHelpers` per registry, then the
// `credsStore`, then `auths` (base64 "user:password", or an identity token). Helpers are run
// as `docker-credential-NAME get` with the server address on stdin.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { DOCKER_HUB, registryHost } from '../image-ref.js';
import { debug } from '../log.js';
import type { RegistryAuth } from './types.js';

const log = debug('auth');
const HUB_KEY = 'https://index.docker.io/v1/';

export interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export type HelperRunner = (helper: string, server: string) => { ok: boolean; stdout: string; stderr: string };

export interface AuthContext {
  env?: NodeJS.ProcessEnv;
  home?: string;
  runHelper?: HelperRunner;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  return join(env.DOCKER_CONFIG || join(home, '.docker'), 'config.json');
}

export function readDockerConfig(path: string): DockerConfigFile | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DockerConfigFile;
  } catch (err) {
    throw new UserError(`${path}: not valid JSON (${(err as Error).message})`, { hint: 'fix or remove the file; `docker login` rewrites it' });
  }
}

/** Keys a registry may be stored under in `auths`. */
export function authKeys(host: string): string[] {
  if (host === DOCKER_HUB) return [HUB_KEY, 'index.docker.io', 'docker.io', 'https://index.docker.io/v1'];
  return [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`, `http://${host}/v1/`, `http://${host}/v2/`];
}

export const runCredentialHelper: HelperRunner = (helper, server) => {
  const r = spawnSync(`docker-credential-${helper}`, ['get'], { input: server, encoding: 'utf8', timeout: 30_000 });
  if (r.error) return { ok: false, stdout: '', stderr: r.error.message };
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: (r.stderr || r.stdout) ?? '' };
};

function fromHelper(helper: string, host: string, server: string, run: HelperRunner): RegistryAuth | undefined {
  const r = run(helper, host === DOCKER_HUB ? HUB_KEY : host);
  if (!r.ok) {
    if (/credentials not found/i.test(r.stderr)) return undefined;
    throw new UserError(`the Docker credential helper docker-credential-${helper} failed for ${host}: ${r.stderr.trim() || 'no output'}`, {
      hint: `check that docker-credential-${helper} is installed and on PATH, or log in again: docker login ${host}`,
    });
  }
  const parsed = JSON.parse(r.stdout) as { Username?: string; Secret?: string };
  if (parsed.Username === '<token>') return { identitytoken: parsed.Secret, serveraddress: server };
  return { username: parsed.Username, password: parsed.Secret, serveraddress: server };
}

/** Credentials for the registry of `ref`, or undefined (anonymous). */
export function resolveRegistryAuth(ref: string, ctx: AuthContext = {}): RegistryAuth | undefined {
  const host = registryHost(ref);
  const server = host === DOCKER_HUB ? HUB_KEY : host;
  const path = dockerConfigPath(ctx.env ?? process.env, ctx.home ?? homedir());
  const cfg = readDockerConfig(path);
  if (!cfg) return void log(`no Docker config at ${path}`);
  const run = ctx.runHelper ?? runCredentialHelper;
  const helper = cfg.credHelpers?.[host] ?? cfg.credsStore;
  if (helper) {
    const found = fromHelper(helper, host, server, run);
    log(`${host}: credential helper ${helper}: ${found ? 'found' : 'none'}`);
    if (found) return found;
  }
  for (const key of authKeys(host)) {
    const a = cfg.auths?.[key];
    if (!a) continue;
    log(`${host}: auths["${key}"] in ${path}`);
    if (a.identitytoken) return { identitytoken: a.identitytoken, serveraddress: server };
    if (a.auth) {
      const text = Buffer.from(a.auth, 'base64').toString('utf8');
      const i = text.indexOf(':');
      if (i < 0) throw new UserError(`${path}: auths["${key}"].auth is not base64 of "user:password"`, { hint: `log in again: docker login ${host}` });
      return { username: text.slice(0, i), password: text.slice(i + 1), serveraddress: server };
    }
    if (a.username) return { username: a.username, password: a.password, serveraddress: server };
  }
  return undefined;
}
