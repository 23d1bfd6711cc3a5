// repo2docker's files end to end on the real engine: binder/ with apt.txt, postBuild, start and
// runtime.txt; a runtime the base cannot honour. (PyPI, conda and CRAN are out of reach here:
// those steps are unit-tested in test/unit/workspace/environment/repo2docker/.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { runCli } from '../helpers/cli.js';
import { makeWorkspace } from '../helpers/workspace.js';
import { L } from '../../src/labels.js';
import { START_LABEL, START_PATH } from '../../src/start-script.js';
import { startTestServe, testSpec, warmPool } from '../helpers/serve.js';

test('binder/: apt.txt installed, postBuild run after it as the notebook user, start wraps Jupyter; root files ignored', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  const binder = join(ws.dir, 'binder');
  mkdirSync(binder);
  writeFileSync(join(binder, 'apt.txt'), '# a small tool\njq\n');
  writeFileSync(join(binder, 'runtime.txt'), 'python-3.11\n');
  writeFileSync(join(binder, 'postBuild'), '#!/bin/sh\nset -e\n{ id -un; jq --version; ls binder/postBuild; } > "$HOME/postbuild.txt"\n');
  writeFileSync(join(binder, 'start'), '#!/bin/sh\necho "$@" > /tmp/start-ran\nexport FROM_START=yes\nexec "$@"\n');
  // Read only without a binder folder: a root Dockerfile that cannot build, and a package PyPI would be needed for.
  writeFileSync(join(ws.dir, 'Dockerfile'), 'FROM transferctl/no-such-image:never\n');
  writeFileSync(join(ws.dir, 'requirements.txt'), 'no-such-package-anywhere==0.0.1\n');

  const cfg = readFileSync(ws.config, 'utf8');
  rmSync(ws.config);
  const init = await runCli(['init'], { cwd: ws.dir });
  assert.equal(init.code, 0, init.stderr);
  assert.deepEqual(init.stdout.match(/^Wrote .*$/m)?.[0].includes('Dockerfile'), false, 'init writes no Dockerfile unless asked');
  assert.match(init.stdout, /binder\/apt\.txt\s+apt-get installs the Debian packages it lists/);
  assert.match(init.stdout, /binder\/postBuild\s+runs after the installs, as the notebook user/);
  assert.match(init.stdout, /binder\/start\s+wraps the notebook command/);
  assert.match(init.stdout, /requirements\.txt\s+ignored: binder\/ exists, so files at the root are not read/);
  assert.match(init.stdout, /Dockerfile\s+ignored: binder\/ exists/);
  writeFileSync(ws.config, cfg); // the test's names and the light notebook-6 base

  const up = await runCli(['up', '--json'], { cwd: ws.dir });
  assert.equal(up.code, 0, up.stderr);
  const img = await engine.images.inspect(ws.image);
  assert.equal(img?.labels[L.dockerfile], 'repo2docker:binder');
  assert.equal(img?.labels[START_LABEL], START_PATH);
  const c = await engine.containers.inspect(ws.container);
  const exec = (cmd: string) => engine.containers.exec(c!.id, ['sh', '-c', cmd]);
  assert.match((await exec('jq --version')).stdout, /^jq-/);
  const marker = await exec('cat /home/jovyan/postbuild.txt');
  assert.equal(marker.exitCode, 0, marker.stderr);
  assert.match(marker.stdout, /^jovyan\njq-.*\nbinder\/postBuild\n$/);
  const started = await exec('cat /tmp/start-ran');
  assert.match(started.stdout, /^jupyter-notebook --ip=0\.0\.0\.0 /, 'the notebook command ran through start');
  const env = await exec('cat /proc/[0-9]*/environ 2>/dev/null | tr "\\0" "\\n" | grep -c ^FROM_START=yes');
  assert.ok(Number(env.stdout.trim()) >= 1, 'the notebook server has what start exported');

  await t.test("serve's visitors get the same: start wraps each notebook server", async (st) => {
    const h = await startTestServe(st, engine, testSpec(ws.image));
    await warmPool(h, 1);
    const warm = h.core.store.list().find((s) => s.state === 'warm')!;
    const r = await engine.containers.exec(warm.containerId, ['sh', '-c', 'cat /tmp/start-ran']);
    assert.equal(r.exitCode, 0, `start did not run in the visitor's container: ${r.stderr}`);
    assert.match(r.stdout, /--ServerApp\.base_url=\/user\//, "the visitor's server command ran through start");
  });
});

test("runtime.txt asks for a Python the base does not have: the build stops with what, where and how to fix", async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  writeFileSync(join(ws.dir, 'runtime.txt'), 'python-3.9\n');
  const r = await runCli(['build'], { cwd: ws.dir });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /runtime\.txt asks for python-3\.9; the base image's python3 is 3\.11/);
  assert.match(r.stderr, /set image\.base in transfer\.json to an image with Python 3\.9/);
  assert.equal(await engine.images.inspect(ws.image), null);
});

test('runtime.txt r-…: refused before any build, with a way out', async (t) => {
  const engine = await requireEngine(t);
  const ws = makeWorkspace(t, engine);
  writeFileSync(join(ws.dir, 'runtime.txt'), 'r-2024-01-15\n');
  const r = await runCli(['up'], { cwd: ws.dir });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /runtime\.txt asks for R \(r-2024-01-15\)/);
  assert.match(r.stderr, /Dockerfile that installs R/);
  assert.equal(await engine.containers.inspect(ws.container), null);
});

test('init --dockerfile: the Dockerfile goes where it counts (binder/), builds from the folder, start still wraps Jupyter', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  mkdirSync(join(ws.dir, 'binder'));
  writeFileSync(join(ws.dir, 'binder', 'postBuild'), '#!/bin/sh\ntouch "$HOME/postbuild-ran"\n');
  writeFileSync(join(ws.dir, 'binder', 'start'), '#!/bin/sh\necho "$@" > /tmp/start-ran\nexec "$@"\n');
  const cfg = readFileSync(ws.config, 'utf8');
  rmSync(ws.config);
  const init = await runCli(['init', '--dockerfile'], { cwd: ws.dir });
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /^Wrote transfer\.json, \.dockerignore, binder\/Dockerfile in /m);
  assert.match(init.stdout, /The image builds from: binder\/Dockerfile \(written now/);
  writeFileSync(ws.config, cfg);
  const up = await runCli(['up', '--json'], { cwd: ws.dir });
  assert.equal(up.code, 0, up.stderr);
  assert.equal((await engine.images.inspect(ws.image))?.labels[L.dockerfile], 'file:Dockerfile');
  const c = await engine.containers.inspect(ws.container);
  const r = await engine.containers.exec(c!.id, ['sh', '-c', 'test -f /home/jovyan/postbuild-ran && cat /tmp/start-ran']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^jupyter-notebook /);
});
