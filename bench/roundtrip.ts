// npm run bench -- roundtrip [--rate 100mbit]
// A saved 500 MB workspace (100 × 5 MB files on transferctl/debian:bookworm) travels to a
// second engine (dockerd in a network namespace behind sshd, scripts/remote-engine.sh) by
// three routes, then again after one 5 MB file changed and was saved. In the same run, each
// route beside its plain way: `transferctl push` + `pull` vs `docker push` + `docker pull`
// (each through its own registry, reached from the remote by ssh -R), `transferctl transfer`
// vs `docker save | ssh docker load`, `transferctl export` (the second time `--without` the
// first save) + `import` vs `docker save -o` + `docker load -i`. Bytes: the veth's counters
// (to the remote), the registry's disk for pushes, the file's size for exports.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createEngine, engineAt, type Engine } from '../src/engine/index.js';
import { fmtMs, report, sh, timed } from './_lib.js';

const exec = promisify(execFile);
const RIG = fileURLToPath(new URL('../scripts/remote-engine.sh', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/transferctl.js', import.meta.url));
const FROM = 'transferctl/debian:bookworm';
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

function veth(dev: string): number {
  return Number(readFileSync(`/sys/class/net/${dev}/statistics/tx_bytes`, 'utf8'));
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function du(dir: string): Promise<number> {
  return Number((await sh('du', ['-sb', dir])).split('\t')[0]);
}

async function registry(dir: string): Promise<{ host: string; data: string; child: ChildProcess }> {
  const port = await freePort();
  const data = join(dir, `reg-${port}`);
  mkdirSync(data, { recursive: true });
  const cfg = join(dir, `reg-${port}.yml`);
  writeFileSync(cfg, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${data}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const child = spawn('docker-registry', ['serve', cfg], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok, () => false)) return { host: `127.0.0.1:${port}`, data, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('docker-registry did not start');
}

async function wipe(engine: Engine): Promise<void> {
  for (const c of await engine.containers.list({ all: true })) await engine.containers.remove(c.id, { force: true });
  for (const i of await engine.images.list()) await engine.images.remove(i.id, { force: true }).catch(() => {});
}

interface Row {
  route: string;
  way: string;
  round: string;
  ms: number;
  bytes: number;
}

export default async function bench(args: string[]): Promise<void> {
  const rate = args.includes('--rate') ? args[args.indexOf('--rate') + 1] : undefined;
  const engine = createEngine();
  if (!(await engine.images.inspect(FROM))) throw new Error(`${FROM} is missing: run scripts/test-images.sh`);
  const run = randomBytes(3).toString('hex');
  const work = mkdtempSync(join(tmpdir(), 'tc-bench-rt-'));
  const ws = join(work, 'ws');
  const name = `tcbrt-${run}`;
  const rigName = `br${run}`;
  const children: ChildProcess[] = [];
  let dev = '';
  const rows: Row[] = [];
  try {
    // The workspace: 100 × 5 MB of random bytes; a tiny image that only sleeps.
    mkdirSync(join(ws, 'data'), { recursive: true });
    for (let i = 0; i < 100; i++) writeFileSync(join(ws, 'data', `part-${i}.bin`), randomBytes(5_000_000));
    writeFileSync(join(ws, 'Dockerfile'), `FROM ${FROM}\n`);
    const regOurs = await registry(work);
    const regPlain = await registry(work);
    children.push(regOurs.child, regPlain.child);
    const config = { image: { name, dockerfile: 'Dockerfile' }, jupyter: { mode: 'none', command: ['sleep', 'infinity'] }, container: { name: `${name}-c` }, commit: { repo: regOurs.host, name } };
    writeFileSync(join(ws, 'transfer.json'), JSON.stringify(config, null, 2));
    const tc = (argv: string[], env: NodeJS.ProcessEnv = {}, cwd = ws) => sh(process.execPath, [BIN, ...argv], { cwd, env: { ...process.env, ...env } });
    console.log('building the workspace image and the first save (500 MB)…');
    await tc(['build']);
    const first = (JSON.parse(await tc(['save', '--json'])) as { tags: string[] }).tags[0];
    // Then one 5 MB file changes and is saved again: one new layer.
    writeFileSync(join(ws, 'data', 'part-42.bin'), randomBytes(5_000_000));
    const second = (JSON.parse(await tc(['save', '--json'])) as { tags: string[] }).tags[0];

    const up = await sh('bash', [RIG, 'up', rigName, String(10 + (randomBytes(1)[0] % 240))]);
    const v = Object.fromEntries(up.split('\n').map((l) => l.split(/=(.*)/s)).filter((p) => p.length > 1)) as Record<string, string>;
    dev = v.HOST_VETH;
    const dest = `root@${v.REMOTE_HOST}`;
    const sshOpts = v.SSH_OPTS;
    const B = engineAt(`unix://${v.REMOTE_SOCK}`, 'bench rig');
    const onB = { DOCKER_HOST: `ssh://${dest}`, TRANSFERCTL_SSH_OPTS: sshOpts };
    const plainB = { ...process.env, DOCKER_HOST: `unix://${v.REMOTE_SOCK}` };
    for (const reg of [regOurs, regPlain]) {
      const port = reg.host.split(':')[1];
      const fwd = spawn('ssh', [...sshOpts.split(' '), '-N', '-o', 'ExitOnForwardFailure=yes', '-R', `127.0.0.1:${port}:127.0.0.1:${port}`, dest], { stdio: 'ignore' });
      children.push(fwd);
    }
    await new Promise((r) => setTimeout(r, 1500));
    if (rate) await exec('tc', ['qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', rate, 'burst', '256kb', 'latency', '50ms']);

    const measure = async (route: string, way: string, round: string, fn: () => Promise<number | void>) => {
      const before = veth(dev);
      const r = await timed(fn);
      const bytes = typeof r.value === 'number' ? r.value : veth(dev) - before;
      rows.push({ route, way, round, ms: r.ms, bytes });
      console.log(`  ${route} / ${way} / ${round}: ${fmtMs(r.ms)}, ${mb(bytes)}`);
    };

    const routes: { route: string; ours: (img: string, round: string, prev: string) => Promise<number | void>; plain: (img: string) => Promise<number | void> }[] = [
      {
        route: 'registry',
        ours: async (img) => {
          const before = await du(regOurs.data);
          await tc(['push', img]);
          const pushed = (await du(regOurs.data)) - before;
          const wire = veth(dev);
          await tc(['pull', img], onB, '/');
          return pushed + (veth(dev) - wire);
        },
        plain: async (img) => {
          const ref = `${regPlain.host}/${name}:${img.split(':').pop()}`;
          await sh('docker', ['tag', img, ref]);
          const before = await du(regPlain.data);
          await sh('docker', ['push', ref]);
          const pushed = (await du(regPlain.data)) - before;
          const wire = veth(dev);
          await sh('docker', ['pull', ref], { env: plainB });
          return pushed + (veth(dev) - wire);
        },
      },
      {
        route: 'ssh',
        ours: async (img) => void (await tc(['transfer', img, dest], { TRANSFERCTL_SSH_OPTS: sshOpts }, '/')),
        plain: async (img) => void (await sh('sh', ['-c', `docker save ${img} | ssh ${sshOpts} ${dest} docker load`])),
      },
      {
        route: 'file',
        ours: async (img, round, prev) => {
          const file = join(work, `ours-${round}.tar`);
          await tc(['export', img, '-o', file, ...(prev ? ['--without', prev] : [])], {}, '/');
          await tc(['import', file], onB, '/');
          const size = statSync(file).size;
          rmSync(file);
          return size;
        },
        plain: async (img) => {
          const file = join(work, 'plain.tar');
          await sh('docker', ['save', '-o', file, img]);
          await sh('docker', ['load', '-i', file], { env: plainB });
          const size = statSync(file).size;
          rmSync(file);
          return size;
        },
      },
    ];

    // Each way: the first save to an empty remote, then the second save (the remote holding
    // what that same way sent the first time).
    for (const r of routes) {
      for (const [way, fn] of [['plain', r.plain], ['transferctl', r.ours]] as const) {
        await wipe(B);
        await measure(r.route, way, 'first', () => fn(first, 'first', ''));
        await measure(r.route, way, 'second', () => fn(second, 'second', first));
      }
    }
    const lines: [string, string][] = [];
    for (const round of ['first', 'second']) {
      for (const r of routes) {
        const plain = rows.find((x) => x.route === r.route && x.round === round && x.way === 'plain')!;
        const ours = rows.find((x) => x.route === r.route && x.round === round && x.way === 'transferctl')!;
        lines.push([
          `${round} / ${r.route}`,
          `plain ${fmtMs(plain.ms)} ${mb(plain.bytes)} | transferctl ${fmtMs(ours.ms)} ${mb(ours.bytes)} | ratio time ${(ours.ms / plain.ms).toFixed(3)}, bytes ${(ours.bytes / plain.bytes).toFixed(3)}`,
        ]);
      }
    }
    report(`roundtrip: a 500 MB workspace, then a 5 MB change${rate ? `, link ${rate}` : ', link unlimited (veth)'}`, lines);
    console.log(
      '\nPlain ways: docker push + pull (B pulls through its own socket), docker save | ssh docker load, docker save -o + docker load -i (B through its own socket).' +
        ' Bytes: registry route = bytes the registry stored + bytes to B; ssh = bytes to B on the veth; file = the file.',
    );
  } finally {
    if (dev) await exec('tc', ['qdisc', 'del', 'dev', dev, 'root']).catch(() => {});
    for (const c of children) c.kill();
    await exec('bash', [RIG, 'down', rigName]).catch(() => {});
    for (const img of await engine.images.list()) {
      if (img.repoTags.some((t) => t.includes(name))) await engine.images.remove(img.id, { force: true }).catch(() => {});
    }
    rmSync(work, { recursive: true, force: true });
  }
}
