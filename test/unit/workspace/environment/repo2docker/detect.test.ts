import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { tempDir } from '../../../../helpers/tmp.js';
import { needsLocalFiles, readRepo2docker, usesAny } from '../../../../../src/workspace/environment/repo2docker/detect.js';

function folder(t: TestContext, files: Record<string, string>): string {
  const dir = tempDir(t);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}
const action = (plan: ReturnType<typeof readRepo2docker>, path: string) => plan.files.find((f) => f.path === path);

test('an empty folder uses none of the files', (t) => {
  const plan = readRepo2docker(folder(t, { 'notes.ipynb': '{}' }));
  assert.equal(usesAny(plan), false);
  assert.deepEqual(plan.files, []);
});

test('environment.yml present → requirements.txt, Pipfile and setup.py are ignored, as repo2docker does', (t) => {
  const plan = readRepo2docker(folder(t, { 'environment.yml': 'dependencies: [numpy]\n', 'requirements.txt': 'pandas\n', Pipfile: '', 'setup.py': '' }));
  assert.equal(plan.pack, 'conda');
  assert.equal(plan.environment, 'environment.yml');
  assert.equal(plan.requirements, undefined);
  assert.equal(action(plan, 'requirements.txt')?.used, false);
  assert.match(action(plan, 'requirements.txt')!.action, /ignored: environment\.yml is present/);
  assert.equal(action(plan, 'Pipfile')?.used, false);
  assert.equal(plan.pythonPackage, undefined);
});

test('binder/ decides: files at the root are ignored, a root Dockerfile too', (t) => {
  const plan = readRepo2docker(folder(t, { Dockerfile: 'FROM x\n', 'requirements.txt': 'a\n', 'setup.py': '', 'binder/apt.txt': 'jq\n', 'binder/postBuild': '#!/bin/sh\n' }));
  assert.equal(plan.dir, 'binder');
  assert.equal(plan.dockerfile, undefined);
  assert.equal(plan.apt, 'binder/apt.txt');
  assert.equal(plan.postBuild, 'binder/postBuild');
  assert.equal(plan.requirements, undefined, 'requirements.txt at the root is not read');
  assert.equal(plan.pythonPackage, undefined, 'setup.py counts only without a binder folder');
  for (const name of ['Dockerfile', 'requirements.txt', 'setup.py']) assert.match(action(plan, name)!.action, /binder\/ exists, so files at the root are not read/);
});

test('.binder/ works the same; both binder/ and .binder/ is a problem', (t) => {
  assert.equal(readRepo2docker(folder(t, { '.binder/start': '#!/bin/sh\n' })).start, '.binder/start');
  const both = readRepo2docker(folder(t, { 'binder/apt.txt': 'jq\n', '.binder/apt.txt': 'jq\n' }));
  assert.match(both.problems[0].message, /both binder\/ and \.binder\//);
});

test('a Dockerfile in binder/ overrides the rest', (t) => {
  const plan = readRepo2docker(folder(t, { 'binder/Dockerfile': 'FROM x\n', 'binder/requirements.txt': 'a\n' }));
  assert.equal(plan.pack, 'dockerfile');
  assert.equal(plan.dockerfile, 'binder/Dockerfile');
  assert.match(action(plan, 'binder/requirements.txt')!.action, /ignored: binder\/Dockerfile overrides it/);
});

test('Pipfile.lock wins over Pipfile, and Pipfile over requirements.txt', (t) => {
  const plan = readRepo2docker(folder(t, { Pipfile: '[packages]\n', 'Pipfile.lock': '{}', 'requirements.txt': 'a\n' }));
  assert.equal(plan.pack, 'pipfile');
  assert.deepEqual(plan.pipfile, { path: 'Pipfile.lock', lock: true, files: ['Pipfile', 'Pipfile.lock'] });
  assert.equal(action(plan, 'Pipfile')?.used, false);
  assert.equal(action(plan, 'requirements.txt')?.used, false);
});

test('pip: requirements.txt and the folder as a package (setup.py, or pyproject.toml with [project] and [build-system])', (t) => {
  const a = readRepo2docker(folder(t, { 'requirements.txt': 'pandas\n', 'setup.py': '' }));
  assert.equal(a.pack, 'python');
  assert.equal(a.requirements, 'requirements.txt');
  assert.equal(a.requirementsLocal, false);
  assert.equal(a.pythonPackage, 'setup.py');
  const b = readRepo2docker(folder(t, { 'pyproject.toml': '[project]\nname = "x"\n\n[build-system]\nrequires = ["hatchling"]\n' }));
  assert.equal(b.pythonPackage, 'pyproject.toml');
  const c = readRepo2docker(folder(t, { 'pyproject.toml': '[tool.black]\nline-length = 100\n' }));
  assert.equal(c.pythonPackage, undefined);
  assert.match(action(c, 'pyproject.toml')!.action, /ignored: no \[project\] and \[build-system\]/);
});

test('requirements that name local paths or other files need the folder', () => {
  assert.equal(needsLocalFiles('pandas==2.2\n# -e .\nnumpy>=1 # ./x\n'), false);
  for (const line of ['-e .', '--editable=./pkg', './wheels/x.whl', '-r other.txt', '-c constraints.txt', 'file:///tmp/x']) {
    assert.equal(needsLocalFiles(`pandas\n${line}\n`), true, line);
  }
});

test('R: DESCRIPTION at the root; install.R alone is ignored, as repo2docker does', (t) => {
  const r = readRepo2docker(folder(t, { DESCRIPTION: 'Package: x\n', 'install.R': 'install.packages("x")\n', 'requirements.txt': 'a\n' }));
  assert.equal(r.pack, 'r');
  assert.equal(r.installR, 'install.R');
  assert.equal(r.description, 'DESCRIPTION');
  assert.equal(r.requirements, 'requirements.txt', 'the R build pack installs pip requirements too');
  const alone = readRepo2docker(folder(t, { 'install.R': 'x\n' }));
  assert.equal(alone.installR, undefined);
  assert.match(action(alone, 'install.R')!.action, /ignored: repo2docker runs it only with a DESCRIPTION file or runtime\.txt r-/);
});

test('runtime.txt: python-X.Y is checked; r-… is a problem with a way out', (t) => {
  const py = readRepo2docker(folder(t, { 'runtime.txt': 'python-3.11\n', 'requirements.txt': 'a\n' }));
  assert.equal(py.python, '3.11');
  assert.match(action(py, 'runtime.txt')!.action, /checks that the base image's python3 is 3\.11/);
  const r = readRepo2docker(folder(t, { 'runtime.txt': 'r-2024-01-15\n', 'install.R': 'x\n' }));
  assert.equal(r.pack, 'r');
  assert.match(r.problems[0].message, /runtime\.txt asks for R \(r-2024-01-15\); transferctl's generated image cannot install R from a CRAN snapshot/);
  assert.match(r.problems[0].hint, /Dockerfile that installs R/);
});

test('Julia: Project.toml decides, pip files still count', (t) => {
  const plan = readRepo2docker(folder(t, { 'Project.toml': '[deps]\n', 'requirements.txt': 'a\n', 'environment.yml': 'x: 1\n', DESCRIPTION: 'Package: x\n' }));
  assert.equal(plan.pack, 'julia');
  assert.equal(plan.julia, 'Project.toml');
  assert.equal(plan.requirements, 'requirements.txt');
  assert.equal(plan.environment, 'environment.yml');
  assert.equal(plan.description, undefined);
  assert.match(action(plan, 'DESCRIPTION')!.action, /ignored: Project\.toml decides/);
});
