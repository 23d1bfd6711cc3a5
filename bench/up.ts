// npm run bench -- up
// `transferctl up` on an existing image until /api/status answers, against a hand-written
// `docker run` of the same image polled the same way; alternating, medians and the ratio.
// Also `transferctl --version` against `node -e 0`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../src/engine/index.js';
import { jupyterAnswers } from '../src/workspace/wait.js';
import { nextFreePort } from '../src/ports.js';
import { median, report, sh, fmtMs, fmtRatio } from './_lib.js';

const BIN = fileURLToPath(new URL('../bin/transferctl.js', import.meta.url));
const BASE = process.env.BENCH_IMAGE ?? 'transferctl/jupyter:trixie';

export default async function bench(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? 7);
  const engine = createEngine();
  await engine.ping();
  if (!(await engine.images.inspect(BASE))) throw new Error(`${BASE} is missing: run scripts/test-images.sh (or transferctl base create)`);
  const dir = mkdtempSync(join(tmpdir(), 'tc-bench-up-'));
  const id = randomBytes(3).toString('hex');
  const name = `tc-bench-up-${id}`;
  const image = `tc-bench-up-img-${id}`;
  const baseline = `tc-bench-docker-run-${id}`;
  writeFileSync(join(dir, 'transfer.json'), JSON.stringify({ container: { name }, image: { name: image, base: BASE } }));
  try {
    await sh(process.execPath, [BIN, 'build'], { cwd: dir }); // the image exists before timing starts
    const ours: number[] = [];
    const theirs: number[] = [];
    // Round 0 is not timed: the first `up` of a build writes the CLI's code cache, and the
    // image's first container reads its files from disk; both happen once, for either side.
    for (let i = -1; i < rounds; i++) {
      // ours: the whole CLI run, which returns when /api/status answers
      const t0 = performance.now();
      await sh(process.execPath, [BIN, 'up'], { cwd: dir });
      if (i >= 0) ours.push(performance.now() - t0);
      await sh(process.execPath, [BIN, 'rm'], { cwd: dir });

      // baseline: docker run, then poll /api/status every 100 ms like transferctl does
      const port = (await nextFreePort(18888))!;
      const token = randomBytes(24).toString('hex');
      const t1 = performance.now();
      await sh('docker', [
        'run', '-d', '--name', baseline, '-p', `127.0.0.1:${port}:8888`, '-e', `JUPYTER_TOKEN=${token}`,
        '-v', `${dir}:/home/jovyan/work`, '-w', '/home/jovyan/work', image,
        'jupyter-lab', '--ip=0.0.0.0', '--port=8888', '--no-browser', '--allow-root', '--notebook-dir=/home/jovyan/work',
      ]);
      while (!(await jupyterAnswers('127.0.0.1', port, token, 1000))) await new Promise((r) => setTimeout(r, 100));
      if (i >= 0) theirs.push(performance.now() - t1);
      await sh('docker', ['rm', '-f', baseline]);
    }
    const version: number[] = [];
    const nodeOnly: number[] = [];
    for (let i = 0; i < 15; i++) {
      let t = performance.now();
      await sh(process.execPath, [BIN, '--version']);
      version.push(performance.now() - t);
      t = performance.now();
      await sh(process.execPath, ['-e', '0']);
      nodeOnly.push(performance.now() - t);
    }
    const mo = median(ours);
    const mt = median(theirs);
    report(`up: ${rounds} alternating rounds on ${image} (from ${BASE})`, [
      ['transferctl up (median)', fmtMs(mo)],
      ['docker run + poll (median)', fmtMs(mt)],
      ['ratio ours/baseline', fmtRatio(mo / mt, '≤ 1.05')],
      ['transferctl up (all)', ours.map((x) => x.toFixed(0)).join(' ')],
      ['docker run (all)', theirs.map((x) => x.toFixed(0)).join(' ')],
    ]);
    report('--version: 15 runs each', [
      ['transferctl --version (median)', fmtMs(median(version))],
      ['node -e 0 (median)', fmtMs(median(nodeOnly))],
      ['ratio', fmtRatio(median(version) / median(nodeOnly), '≤ 2.5')],
    ]);
  } finally {
    await sh(process.execPath, [BIN, 'rm', '--image'], { cwd: dir }).catch(() => {});
    await sh('docker', ['rm', '-f', baseline]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}
