// npm run bench -- save [ROUNDS]
// A 500 MB workspace (100 × 5 MB + 3,000 × 2 KB). In one run, medians over ROUNDS (default 3);
// ours and the seed's way take turns at going first, and every timed step starts after a sync:
// - first `transferctl save` against the seed's way (`cp -a` the folder into /archive inside a
//   running container of the same image, then `docker commit`): ratio, target ≤ 1.0;
// - a second save after changing one 5 MB file: time against the first save (target ≤ 0.1)
//   and image growth against the changed bytes (target ≤ 1.2×);
// - `transferctl restore` throughput against `tar -x` of the same data (target ≥ 0.5×).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine, type Engine } from '../src/engine/index.js';
import { fmtMs, fmtRatio, median, report, sh } from './_lib.js';

const BIN = fileURLToPath(new URL('../bin/transferctl.js', import.meta.url));
const BASE = process.env.BENCH_IMAGE ?? 'transferctl/jupyter:bookworm';
const MB = 1e6;

function makeFolder(dir: string): number {
  let bytes = 0;
  mkdirSync(join(dir, 'data'), { recursive: true });
  for (let i = 0; i < 100; i++) {
    writeFileSync(join(dir, 'data', `big-${i}.bin`), randomBytes(5 * 1024 * 1024));
    bytes += 5 * 1024 * 1024;
  }
  for (let i = 0; i < 3000; i++) {
    const sub = join(dir, 'notes', `d${i % 30}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `n-${i}.txt`), randomBytes(2048));
    bytes += 2048;
  }
  return bytes;
}

async function removeRepo(engine: Engine, repo: string): Promise<void> {
  for (const img of await engine.images.list()) for (const t of img.repoTags) if (t.startsWith(`${repo}:`)) await engine.images.remove(t, { force: true }).catch(() => {});
}

/** Our save returns once the image is tagged and lets the engine delete its temporary copy
 * meanwhile; wait for that (untimed, as the seed's `docker rm` is) before the next step. */
async function settle(engine: Engine): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await engine.containers.list({ labels: ['org.transferctl.temporary=save'], all: true })).length === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Untimed, before each timed step: write back what the step before left dirty (this VM's
 * disk is slow, and its writeback would otherwise land on whichever step runs next), then let
 * the machine settle. After the large deletions between steps (images, containers, restored
 * folders) a step that starts at once ran ~1 s slower here than one started 3 s later, with the
 * disk and CPUs idle meanwhile (the VM hands freed memory back to its host in the background). */
const SETTLE_MS = 3000;
async function quiesce(): Promise<void> {
  await sh('sync', []);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
}

async function cli(args: string[], cwd: string): Promise<{ ms: number; out: string }> {
  const t0 = performance.now();
  const out = await sh(process.execPath, [BIN, ...args], { cwd });
  return { ms: performance.now() - t0, out };
}

export default async function bench(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? 3);
  const engine = createEngine();
  await engine.ping();
  if (!(await engine.images.inspect(BASE))) throw new Error(`${BASE} is missing: run scripts/test-images.sh`);
  const id = randomBytes(3).toString('hex');
  const root = mkdtempSync(join(tmpdir(), 'tc-bench-save-'));
  const dir = join(root, 'ws');
  mkdirSync(dir);
  const name = `tc-bench-save-${id}`;
  const repo = `${name}-saved`;
  const seedImage = `${name}-seed`;
  writeFileSync(join(dir, 'transfer.json'), JSON.stringify({ container: { name }, image: { name, base: BASE }, jupyter: { mode: 'notebook' }, commit: { name: repo } }));
  const bytes = makeFolder(dir);
  console.log(`workspace: ${(bytes / MB).toFixed(0)} MB in 3,100 files; image base ${BASE}; ${rounds} round(s)`);
  try {
    await sh(process.execPath, [BIN, 'up'], { cwd: dir });
    const first: number[] = [];
    const seed: number[] = [];
    const second: number[] = [];
    const growth: number[] = [];
    const restore: number[] = [];
    const untar: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // ours, first save (no previous save of this workspace)
      const oursFirst = async () => {
        await removeRepo(engine, repo);
        await quiesce();
        first.push((await cli(['save'], dir)).ms);
        await settle(engine);
      };
      // the seed's way: a running container of the same image with the folder mounted
      const seedWay = async () => {
        const box = `${name}-seed-${r}`;
        await sh('docker', ['run', '-d', '--name', box, '-v', `${dir}:/home/jovyan/work`, '--entrypoint', 'sleep', name, 'infinity']);
        await quiesce();
        const t0 = performance.now();
        await sh('docker', ['exec', box, 'cp', '-a', '/home/jovyan/work/.', '/archive']);
        await sh('docker', ['commit', box, seedImage]);
        seed.push(performance.now() - t0);
        await sh('docker', ['rm', '-f', box]);
        await sh('docker', ['rmi', seedImage]);
      };
      // Which goes first alternates by round: the one that follows pays for the other's deletes.
      if (r % 2 === 0) {
        await oursFirst();
        await seedWay();
      } else {
        await seedWay();
        await oursFirst();
      }

      // ours, a second save after changing one 5 MB file
      const before = (await engine.images.inspect(`${repo}:latest`))!.size;
      writeFileSync(join(dir, 'data', `big-${r}.bin`), randomBytes(5 * 1024 * 1024));
      await quiesce();
      second.push((await cli(['save'], dir)).ms);
      await settle(engine);
      growth.push(((await engine.images.inspect(`${repo}:latest`))!.size - before) / (5 * 1024 * 1024));

      // restore vs tar -x of the same data
      const target = join(root, `restored-${r}`);
      await quiesce();
      restore.push((await cli(['restore', `${repo}:latest`, target], root)).ms);
      rmSync(target, { recursive: true, force: true });
      const tarFile = join(root, 'ws.tar');
      await sh('tar', ['-cf', tarFile, '-C', dir, '.']);
      const into = join(root, `untar-${r}`);
      mkdirSync(into);
      await quiesce();
      const t1 = performance.now();
      await sh('tar', ['-xf', tarFile, '-C', into]);
      untar.push(performance.now() - t1);
      rmSync(into, { recursive: true, force: true });
      rmSync(tarFile, { force: true });
    }
    const mf = median(first);
    const ms = median(seed);
    const m2 = median(second);
    const mr = median(restore);
    const mt = median(untar);
    const rate = (ms_: number) => `${((bytes / MB) / (ms_ / 1000)).toFixed(0)} MB/s`;
    report('first save vs the seed\'s way (cp -a into the running container + docker commit)', [
      ['transferctl save (first), each', first.map(fmtMs).join(', ')],
      ['seed: cp -a + docker commit, each', seed.map(fmtMs).join(', ')],
      ['median ours / seed', `${fmtMs(mf)} / ${fmtMs(ms)}`],
      ['ratio ours / seed', fmtRatio(mf / ms, '≤ 1.0')],
    ]);
    report('second save after changing one 5 MB file', [
      ['transferctl save (second), each', second.map(fmtMs).join(', ')],
      ['median second / first', `${fmtMs(m2)} / ${fmtMs(mf)}`],
      ['ratio second / first', fmtRatio(m2 / mf, '≤ 0.1')],
      ['image growth / changed bytes, each', growth.map((g) => g.toFixed(3)).join(', ')],
      ['median growth ratio', fmtRatio(median(growth), '≤ 1.2')],
    ]);
    report('restore vs tar -x of the same data', [
      ['transferctl restore, each', restore.map(fmtMs).join(', ')],
      ['tar -x, each', untar.map(fmtMs).join(', ')],
      ['throughput ours / tar', `${rate(mr)} / ${rate(mt)}`],
      ['throughput ratio ours / tar', fmtRatio(mt / mr, '≥ 0.5')],
    ]);
  } finally {
    await sh(process.execPath, [BIN, 'rm'], { cwd: dir }).catch(() => {});
    await removeRepo(engine, repo);
    await engine.images.remove(name, { force: true }).catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }
}
