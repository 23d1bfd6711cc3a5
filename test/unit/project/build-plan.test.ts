// Build order from FROM lines, version stamping, the build context and the run plan (no engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tarStream from 'tar-stream';
import type { Readable } from 'node:stream';
import { loadProject } from '../../../src/project/discover.js';
import { findProfile, loadProfiles } from '../../../src/project/profiles.js';
import { dockerfileFacts } from '../../../src/project/dockerfile-from.js';
import { planBuild } from '../../../src/project/build-plan.js';
import { planRun } from '../../../src/project/run-plan.js';
import { versionFiles, versionStamp } from '../../../src/project/version-stamp.js';
import { projectContext } from '../../../src/project/context.js';
import { stepCounter } from '../../../src/project/build.js';
import { UserError } from '../../../src/errors.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/project', import.meta.url));
const STAMP = { version: '1.2.0', commit: 'abc', dirty: false };

function copy(t: { after: (fn: () => void) => void }): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'tc-proj-plan-')), 'myproj');
  cpSync(FIXTURE, dir, { recursive: true });
  t.after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));
  return dir;
}

function load(dir: string) {
  const project = loadProject({ root: dir, env: { USER: 'ann', HOME: '/home/ann' } });
  return { project, ...loadProfiles(project, { hostEnv: {} }) };
}

test('FROM lines: ARG defaults and overrides, ${X:-d}, stages and COPY --from', () => {
  const text = [
    'ARG BASE=debian:12',
    'ARG TAG',
    'FROM ${BASE} AS build',
    'FROM ${REG:-docker.io}/lib/x:${TAG:-1} \\',
    '  AS second',
    'COPY --from=build /a /a',
    'COPY --from=tools:3 /b /b',
    'FROM build',
    'ARG VERSION',
  ].join('\n');
  assert.deepEqual(dockerfileFacts(text), { images: ['debian:12', 'docker.io/lib/x:1', 'tools:3'], args: ['BASE', 'TAG', 'VERSION'] });
  assert.deepEqual(dockerfileFacts(text, { BASE: 'mine:2', TAG: '9' }).images, ['mine:2', 'docker.io/lib/x:9', 'tools:3']);
});

test('build plan: docker/base first, only declared build args, tags from run.cfg', (t) => {
  const { project, profiles } = load(copy(t));
  const steps = planBuild(project, profiles, 'dev', { stamp: STAMP });
  assert.deepEqual(steps.map((s) => [s.folder, s.ref, s.dockerfile, s.dependsOn]), [
    ['base', 'myproj-base:ann', 'docker/base/Dockerfile', []],
    ['dev', 'myproj-dev:experiment.2017.12.16', 'docker/dev/Dockerfile', ['base']],
  ]);
  assert.deepEqual(steps[1].buildArgs, { BASE_IMAGE: 'myproj-base:ann', VERSION: '1.2.0', GIT_COMMIT: 'abc' });
  assert.deepEqual(steps[0].buildArgs, {});
  assert.deepEqual(planBuild(project, profiles, 'dev', { stamp: STAMP, withDependencies: false }).map((s) => s.folder), ['dev']);
});

test('build plan: images that build on each other in a circle are refused', (t) => {
  const dir = copy(t);
  writeFileSync(join(dir, 'docker/base/Dockerfile'), 'ARG NOTEBOOK_IMAGE\nFROM ${NOTEBOOK_IMAGE}\n');
  const { project, profiles } = load(dir);
  assert.throws(() => planBuild(project, profiles, 'notebook', { stamp: STAMP }), (e: unknown) => e instanceof UserError && /circle: notebook → base → notebook/.test(e.message));
});

test('version stamp: a folder outside git, and the generated files', (t) => {
  const dir = copy(t);
  const s = versionStamp(dir);
  assert.equal(s.dirty, false);
  const files = versionFiles({ version: '2.0', commit: 'f00', dirty: true });
  assert.deepEqual(files.map((f) => f.name), ['_version.json.bld', '_version.py.bld']);
  assert.deepEqual(JSON.parse(String(files[0].content)), { version: '2.0+dirty', 'full-revisionid': 'f00', dirty: true, error: null, date: null });
  assert.match(String(files[1].content), /def get_versions\(\):\n    return json.loads\(version_json\)/);
});

async function tarNames(stream: Readable): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const extract = tarStream.extract();
  extract.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: Buffer) => chunks.push(c));
    body.on('end', () => {
      out.set(header.name, Buffer.concat(chunks).toString());
      next();
    });
  });
  stream.pipe(extract);
  await new Promise((r) => extract.on('finish', r));
  return out;
}

test('build context: .dockerignore honoured, version files added in memory and winning over the tree', async (t) => {
  const dir = copy(t);
  writeFileSync(join(dir, '_version.py.bld'), 'stale');
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.git/HEAD'), 'ref');
  writeFileSync(join(dir, 'debug.log'), 'x');
  const names = await tarNames(projectContext(dir, { keep: ['docker/dev/Dockerfile'], extra: versionFiles(STAMP) }));
  assert.ok(names.has('src/app.sh') && names.has('docker/dev/Dockerfile') && names.has('_version.json.bld'));
  assert.ok(![...names.keys()].some((n) => n.startsWith('data') || n.startsWith('.git') || n.endsWith('.log')), [...names.keys()].join(' '));
  assert.match(names.get('_version.py.bld')!, /get_versions/);
  assert.equal([...names.keys()].filter((n) => n === '_version.py.bld').length, 1);
});

test("build context: an image's own Dockerfile.dockerignore replaces the root one", async (t) => {
  const dir = copy(t);
  writeFileSync(join(dir, 'docker/dev/Dockerfile.dockerignore'), 'src/util.sh\n');
  const keep = ['docker/dev/Dockerfile'];
  const names = await tarNames(projectContext(dir, { keep, extra: [], dockerfile: join(dir, 'docker/dev/Dockerfile') }));
  assert.ok(names.has('src/app.sh') && names.has('docker/dev/Dockerfile'));
  assert.ok(!names.has('src/util.sh'), 'its own rule applies');
  assert.ok(names.has('data/sample.csv'), 'the root .dockerignore does not');
});

test('run plan: names, labels, mounts, ports on 127.0.0.1, mode, command override, --gpu', (t) => {
  const dir = copy(t);
  const { project, profiles } = load(dir);
  const dev = findProfile(project, profiles, 'dev');
  const plan = planRun(project, dev, { ref: 'myproj-dev:x', name: 'myproj-dev-1', terminal: false });
  assert.equal(plan.mode, 'it');
  assert.equal(plan.spec.tty, false, 'no terminal here, so no tty');
  assert.equal(plan.spec.openStdin, true);
  assert.deepEqual(plan.spec.ports, { '8888/tcp': [{ hostIp: '127.0.0.1', hostPort: 0 }], '8890/tcp': [{ hostIp: '0.0.0.0', hostPort: 0 }] });
  assert.equal(plan.spec.network, 'bridge');
  assert.equal(plan.spec.labels?.['org.transferctl.managed'], 'true');
  assert.equal(plan.spec.labels?.['org.transferctl.project.profile'], 'dev');
  assert.equal(plan.spec.gpu, undefined);
  assert.equal(plan.spec.runtime, undefined);
  assert.equal(plan.spec.env?.NVIDIA_VISIBLE_DEVICES, undefined);

  const gpu = planRun(project, dev, { ref: 'r', name: 'n', terminal: true, gpu: true, cmd: ['nvidia-smi'], detach: true });
  assert.equal(gpu.mode, 'd');
  assert.equal(gpu.spec.runtime, 'nvidia');
  assert.equal(gpu.spec.env?.NVIDIA_VISIBLE_DEVICES, 'all');
  assert.deepEqual(gpu.spec.cmd, ['nvidia-smi']);

  const nb = planRun(project, findProfile(project, profiles, 'notebook'), { ref: 'r', name: 'n', terminal: true, gpu: true });
  assert.deepEqual(nb.spec.gpu, { count: -1 }, 'no gpu key: --gpu asks for every GPU');
  assert.equal(nb.spec.tty, false);
  assert.equal(nb.spec.openStdin, false);
});

test('step counter: cached, rebuilt (FROM and ARG make no layer)', () => {
  const c = stepCounter();
  for (const s of ['Step 1/4 : ARG X', 'Step 2/4 : FROM a', 'Step 3/4 : RUN x\n ---> Using cache\n', 'Step 4/4 : COPY . /\n', ' ---> 123\n']) c.on({ stream: s });
  assert.deepEqual([c.steps(), c.cached(), c.rebuilt()], [4, 1, 1]);
});
