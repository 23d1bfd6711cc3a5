// A real image registry for tests: Debian's docker-registry on 127.0.0.1 and a port the OS
// chose, optionally behind htpasswd basic auth; stopped and deleted after the test.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { tempDir } from './tmp.js';

export interface TestRegistry {
  host: string;
  auth?: { user: string; password: string };
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Start a registry, or skip (locally) / fail (CI) when docker-registry is not installed. */
export async function startRegistry(t: TestContext, opts: { auth?: { user: string; password: string } } = {}): Promise<TestRegistry | undefined> {
  for (const cmd of ['docker-registry', ...(opts.auth ? ['htpasswd'] : [])]) {
    if (has(cmd)) continue;
    if (process.env.CI === 'true') throw new Error(`CI=true but ${cmd} is missing (scripts/test-deps.sh installs it)`);
    t.skip(`${cmd} is not installed`);
    return undefined;
  }
  const dir = tempDir(t, 'tc-save-registry-');
  mkdirSync(join(dir, 'data'));
  const port = await freePort();
  const lines = ['version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, '  delete:', '    enabled: true', 'http:', `  addr: 127.0.0.1:${port}`];
  if (opts.auth) {
    const r = spawnSync('htpasswd', ['-Bbn', opts.auth.user, opts.auth.password], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
    writeFileSync(join(dir, 'htpasswd'), r.stdout);
    lines.push('auth:', '  htpasswd:', '    realm: transferctl-test', `    path: ${join(dir, 'htpasswd')}`);
  }
  writeFileSync(join(dir, 'config.yml'), lines.join('\n') + '\n');
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      if (res.status === 200 || res.status === 401) return { host: `127.0.0.1:${port}`, auth: opts.auth };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not answer on 127.0.0.1:${port}: ${stderr}`);
}

/** A DOCKER_CONFIG folder whose config.json holds the given credentials (as `docker login` writes them). */
export function dockerConfigDir(t: TestContext, auths: Record<string, { user: string; password: string }>, extra: object = {}): string {
  const dir = tempDir(t, 'tc-save-dockercfg-');
  const entries = Object.fromEntries(Object.entries(auths).map(([host, a]) => [host, { auth: Buffer.from(`${a.user}:${a.password}`).toString('base64') }]));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: entries, ...extra }, null, 2));
  return dir;
}

/**
 * A real Docker credential helper (a docker-credential-NAME script that answers `get` for the
 * registry's host only, as a keychain does) and a DOCKER_CONFIG naming it in credHelpers.
 * Returns the environment a command needs to find both.
 */
export function credentialHelperEnv(t: TestContext, reg: TestRegistry, user: string, password: string): { DOCKER_CONFIG: string; PATH: string } {
  const bin = tempDir(t, 'tc-save-bin-');
  const helper = join(bin, 'docker-credential-tctest');
  const answer = JSON.stringify({ ServerURL: reg.host, Username: user, Secret: password });
  writeFileSync(helper, `#!/bin/sh\n[ "$1" = get ] || exit 1\nread server\n[ "$server" = "${reg.host}" ] || { echo "credentials not found in native keychain"; exit 1; }\necho '${answer}'\n`);
  chmodSync(helper, 0o755);
  const cfg = tempDir(t, 'tc-save-helpercfg-');
  writeFileSync(join(cfg, 'config.json'), JSON.stringify({ credHelpers: { [reg.host]: 'tctest' } }));
  return { DOCKER_CONFIG: cfg, PATH: `${bin}:${process.env.PATH}` };
}
