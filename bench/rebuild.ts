// npm run bench -- rebuild [--deps "debian packages"] [--runs N]
// On the fixture project (docker/base with its dependencies, docker/dev FROM it): `image build
// dev` after touching one source file (the layer cache reused), against the same build with
// the cache disabled. Prints both, the ratio (target ≤ 0.1) and the layers rebuilt.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { connectEngine } from '../src/engine/index.js';
import { loadProject } from '../src/project/discover.js';
import { loadProfiles } from '../src/project/profiles.js';
import { buildProject, type ProjectBuildResult } from '../src/project/build.js';
import { fmtMs, fmtRatio, median, report, timed } from './_lib.ts';

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}

const rebuilt = (r: ProjectBuildResult) => r.images.map((i) => `${i.folder} ${i.rebuiltSteps}/${i.steps}`).join(', ');
const layers = (r: ProjectBuildResult) => r.images.reduce((n, i) => n + i.rebuiltSteps, 0);

export default async function rebuild(args: string[]): Promise<void> {
  const deps = arg(args, '--deps', 'python3-minimal');
  const runs = Number(arg(args, '--runs', '3'));
  const engine = await connectEngine();
  const parent = mkdtempSync(join(tmpdir(), 'tc-bench-rebuild-'));
  const root = join(parent, `tcbench-${randomBytes(3).toString('hex')}`);
  cpSync(fileURLToPath(new URL('../test/fixtures/project', import.meta.url)), root, { recursive: true });
  writeFileSync(join(root, 'docker/base/apt.txt'), deps.split(/\s+/).filter(Boolean).join('\n') + '\n');
  const project = loadProject({ root });
  const { profiles } = loadProfiles(project);
  const build = (noCache: boolean) => buildProject(engine, project, profiles, 'dev', { noCache });
  const source = join(root, 'src/app.sh');
  try {
    console.log(`fixture project at ${root}; docker/base dependencies: ${deps || '(none)'}`);
    const first = await timed(() => build(false));
    console.log(`first build (fills the cache): ${fmtMs(first.ms)}`);

    const cached: { ms: number; value: ProjectBuildResult }[] = [];
    const uncached: { ms: number; value: ProjectBuildResult }[] = [];
    for (let i = 0; i < runs; i++) {
      writeFileSync(source, readFileSync(source, 'utf8') + `# touched ${i} ${Date.now()}\n`);
      cached.push(await timed(() => build(false)));
      uncached.push(await timed(() => build(true)));
    }
    const ours = median(cached.map((c) => c.ms));
    const baseline = median(uncached.map((c) => c.ms));
    report('image build dev after touching src/app.sh (ours: layer cache) vs --no-cache (baseline)', [
      ['runs', String(runs)],
      ['ours, each', cached.map((c) => fmtMs(c.ms)).join(', ')],
      ['baseline, each', uncached.map((c) => fmtMs(c.ms)).join(', ')],
      ['ours, median', fmtMs(ours)],
      ['baseline, median', fmtMs(baseline)],
      ['ratio ours/baseline', fmtRatio(ours / baseline, '≤ 0.1')],
      ['layers rebuilt, ours', `${layers(cached[0].value)} (${rebuilt(cached[0].value)})`],
      ['layers rebuilt, baseline', `${layers(uncached[0].value)} (${rebuilt(uncached[0].value)})`],
    ]);
  } finally {
    for (let pass = 0; pass < 4; pass++) {
      const left = await engine.images.list({ labels: [`org.transferctl.project=${root}`] });
      if (left.length === 0) break;
      for (const i of left) await engine.images.remove(i.id, { force: true }).catch(() => {});
    }
    rmSync(parent, { recursive: true, force: true });
  }
}
