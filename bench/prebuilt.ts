// npm run bench -- prebuilt [ROUNDS]
// `transferctl up` on an engine with an empty cache (a fresh second dockerd in its own network
// namespace, holding only the Jupyter base), until Jupyter answers: pulling the prebuilt
// environment from a registry (pushed once by `build --push-cache` on this machine) against
// building it there. The workspace: transferctl's own Dockerfile with apt.txt (jq,
// python3-pandas) and a requirements.txt. Alternating rounds (default 2 each), medians, ratio.
// B reaches the registry over the link as a LAN host would (plain HTTP to this machine's side
// of the veth, forwarded to the registry on 127.0.0.1, B's dockerd told --insecure-registry),
// and Debian's mirror (for its builds) through NAT on this machine, added for the run and removed.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine, engineAt, type Engine } from '../src/engine/index.js';
import { fmtMs, fmtRatio, median, report, sh } from './_lib.js';

const RIG = fileURLToPath(new URL('../scripts/remote-engine.sh', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/transferctl.js', import.meta.url));
const BASE = process.env.BENCH_IMAGE ?? 'transferctl/jupyter:bookworm';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Debian's docker-registry on 127.0.0.1:port, data in dir. */
async function startRegistry(dir: string, port: number): Promise<ChildProcess> {
  mkdirSync(join(dir, 'data'));
  const cfg = ['version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: 127.0.0.1:${port}`];
  writeFileSync(join(dir, 'registry.yml'), cfg.join('\n') + '\n');
  const child = spawn('docker-registry', ['serve', join(dir, 'registry.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok, () => false)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('docker-registry did not start');
}

/** hostIp:port → 127.0.0.1:port, so B reaches the registry this machine pushes to on its loopback. */
function forward(hostIp: string, port: number): Promise<Server> {
  const srv = createServer((inbound) => {
    const out = connect(port, '127.0.0.1');
    inbound.pipe(out).pipe(inbound);
    const end = () => (inbound.destroy(), out.destroy());
    inbound.on('error', end);
    out.on('error', end);
  });
  return new Promise((resolve, reject) => srv.once('error', reject).listen(port, hostIp, () => resolve(srv)));
}

/** A workspace folder; with cacheRepo it pulls its environment from there. */
function workspace(root: string, name: string, cacheRepo?: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const image = { name, base: BASE, ...(cacheRepo ? { 'cache-repo': cacheRepo } : {}) };
  writeFileSync(join(dir, 'transfer.json'), JSON.stringify({ container: { name }, image, jupyter: { mode: 'notebook' } }));
  writeFileSync(join(dir, 'apt.txt'), 'jq\npython3-pandas\n');
  writeFileSync(join(dir, 'requirements.txt'), '# none from PyPI (out of reach here)\n');
  writeFileSync(join(dir, 'analysis.ipynb'), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }));
  return dir;
}

/** `up --json` on B until it prints its result (Jupyter answered), then stop forwarding; the time and how it got the environment. */
async function timeUp(dir: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; cache: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'up', '--json'], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const result = await new Promise<{ environment?: { cache: string } }>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      try {
        resolve(JSON.parse(out));
      } catch {
        // not all of it yet
      }
    });
    child.on('close', (code) => reject(new Error(`up exited ${code}: ${err.slice(-2000)}`)));
  });
  const ms = performance.now() - t0;
  child.kill('SIGTERM');
  return { ms, cache: result.environment?.cache ?? '?' };
}

/**
 * B's builds reach Debian's mirror as this machine's do: a default route in its namespace and
 * NAT on this machine for its subnet. Returns the undo (the rules go, nothing else is touched).
 */
async function routeOut(name: string, octet: string, hostVeth: string): Promise<() => Promise<void>> {
  const rules = [
    ['-t', 'nat', 'POSTROUTING', '-s', `10.201.${octet}.0/24`, '!', '-o', hostVeth, '-j', 'MASQUERADE'],
    ['-t', 'filter', 'FORWARD', '-i', hostVeth, '-j', 'ACCEPT'],
    ['-t', 'filter', 'FORWARD', '-o', hostVeth, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
  ];
  const iptables = (op: string, [, table, chain, ...rest]: string[]) => sh('iptables', ['-t', table, op, chain, ...rest]);
  await sh('ip', ['-n', `tcr-${name}`, 'route', 'add', 'default', 'via', `10.201.${octet}.1`]);
  for (const r of rules) await iptables('-I', r);
  return async () => {
    for (const r of rules) await iptables('-D', r).catch(() => {});
  };
}

/** Back to an empty cache on B: every container and image goes, except the base. */
async function emptyB(b: Engine, baseId: string): Promise<void> {
  for (const c of await b.containers.list({ all: true })) await b.containers.remove(c.id, { force: true });
  // Children before parents (the workspace image sits on the environment): a few passes.
  for (let pass = 0; pass < 5; pass++) {
    for (const img of await b.images.list()) if (img.id !== baseId) await b.images.remove(img.id, { force: true }).catch(() => {});
  }
  const left = (await b.images.list()).map((i) => i.id);
  if (left.length !== 1 || left[0] !== baseId) throw new Error(`B still holds ${left.join(', ')}`);
}

export default async function bench(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? 2);
  const engine = createEngine();
  if (!(await engine.images.inspect(BASE))) throw new Error(`${BASE} is missing: run scripts/test-images.sh`);
  const id = randomBytes(3).toString('hex');
  const root = mkdtempSync(join(tmpdir(), 'tc-bench-prebuilt-'));
  const port = await freePort();
  const registry = await startRegistry(root, port);
  const cacheRepo = `127.0.0.1:${port}/tc-bench-prebuilt-env`;
  const pushDir = workspace(root, `tc-bench-push-${id}`, cacheRepo);
  const buildDir = workspace(root, `tc-bench-build-${id}`);
  const rig = `bp${id}`;
  const octet = String(10 + (randomBytes(1)[0] % 240));
  const hostIp = `10.201.${octet}.1`;
  // B's copy of the folder names the same registry by the address B reaches it at.
  const pullDir = workspace(root, `tc-bench-pull-${id}`, `${hostIp}:${port}/tc-bench-prebuilt-env`);
  let fwd: Server | undefined;
  let b: Engine | undefined;
  let undoRoute = async () => {};
  try {
    console.log(`this machine (A): build --push-cache of the environment to ${cacheRepo}…`);
    const pushed = JSON.parse(await sh(process.execPath, [BIN, 'build', '--push-cache', '--json'], { cwd: pushDir })) as { hashTag: string; cache: string };
    console.log(`  ${pushed.hashTag} (${pushed.cache})`);
    const rigEnv = { ...process.env, DOCKERD_ARGS: `--insecure-registry ${hostIp}:${port}` };
    const v = Object.fromEntries((await sh('bash', [RIG, 'up', rig, octet], { env: rigEnv })).split('\n').map((l) => l.split(/=(.*)/s)).filter((p) => p.length > 1)) as Record<string, string>;
    undoRoute = await routeOut(rig, octet, v.HOST_VETH);
    fwd = await forward(hostIp, port);
    const sshOpts = v.SSH_OPTS.split(' ');
    const dest = `root@${v.REMOTE_HOST}`;
    b = engineAt(`unix://${v.REMOTE_SOCK}`, 'bench rig');
    // B gets the base from the registry, as it would have pulled it from quay.io: then, as
    // there, a pull of the environment fetches only the layers above it (after a `docker load`
    // the engine cannot tell the registry's blobs of the base layers are ones it has).
    console.log(`engine B ready; it pulls ${BASE} (its only image) from the registry…`);
    const baseRef = `tc-bench-prebuilt-base:${id}`;
    await sh('sh', ['-c', `docker tag ${BASE} 127.0.0.1:${port}/${baseRef} && docker push -q 127.0.0.1:${port}/${baseRef} >/dev/null && docker rmi 127.0.0.1:${port}/${baseRef} >/dev/null`]);
    await sh('sh', ['-c', `docker pull -q ${hostIp}:${port}/${baseRef} >/dev/null && docker tag ${hostIp}:${port}/${baseRef} ${BASE}`], { env: { ...process.env, DOCKER_HOST: `unix://${v.REMOTE_SOCK}` } });
    const baseId = (await b.images.inspect(BASE))?.id;
    if (!baseId) throw new Error(`${BASE} did not load into B`);
    const onB = { DOCKER_HOST: `ssh://${dest}`, TRANSFERCTL_SSH_OPTS: v.SSH_OPTS };

    const pulls: number[] = [];
    const builds: number[] = [];
    for (let i = 0; i < rounds; i++) {
      for (const [what, dir, into] of [['pull', pullDir, pulls], ['build', buildDir, builds]] as const) {
        await emptyB(b, baseId);
        const r = await timeUp(dir, onB);
        if (r.cache !== (what === 'pull' ? 'pulled' : 'built')) throw new Error(`${what}: up reported environment ${r.cache}`);
        into.push(r.ms);
        console.log(`  round ${i + 1}: up with ${what}: ${fmtMs(r.ms)}`);
      }
    }
    const envSize = (await engine.images.inspect(pushed.hashTag))?.size ?? 0;
    report(`up on an engine with an empty cache (base ${BASE} only), until Jupyter answers; ${rounds} rounds each`, [
      ['environment image', `${(envSize / 1e6).toFixed(0)} MB (apt.txt: jq, python3-pandas)`],
      ['up, pulling the prebuilt environment', fmtMs(median(pulls))],
      ['up, building it (the way before)', fmtMs(median(builds))],
      ['pull / build', fmtRatio(median(pulls) / median(builds))],
      ['build / pull', `${(median(builds) / median(pulls)).toFixed(1)}× faster with the prebuilt environment`],
    ]);
  } finally {
    fwd?.close();
    await undoRoute();
    await sh('bash', [RIG, 'down', rig]).catch(() => {});
    registry.kill('SIGTERM');
    for (const dir of [pushDir, pullDir, buildDir]) await sh(process.execPath, [BIN, 'rm', '--image'], { cwd: dir }).catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }
}
