import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Repo2dockerPlan } from '../../../../../src/workspace/environment/repo2docker/detect.js';
import { repo2dockerDockerfile } from '../../../../../src/workspace/environment/repo2docker/dockerfile.js';

const plan = (p: Partial<Repo2dockerPlan>): Repo2dockerPlan => ({ dir: '', pack: 'python', files: [], problems: [], ...p });
const gen = (p: Partial<Repo2dockerPlan>) => repo2dockerDockerfile(plan(p), { defaultBase: 'base:1', repoDir: '/home/jovyan/work' });
const order = (text: string, ...needles: string[]) => {
  const at = needles.map((n) => text.indexOf(n));
  at.forEach((i, k) => assert.ok(i >= 0, `missing: ${needles[k]}`));
  assert.deepEqual([...at].sort((a, b) => a - b), at, `out of order: ${needles.join(' < ')}`);
};

test('nothing found: a plain image on the chosen base, no copies', () => {
  const g = gen({ pack: 'plain' });
  assert.match(g.text, /^ARG BASE_IMAGE=base:1$/m);
  assert.match(g.text, /^FROM \$\{BASE_IMAGE\}$/m);
  assert.doesNotMatch(g.text, /COPY/);
  assert.equal(g.needsFolder, false);
  assert.deepEqual(g.files, []);
});

test('installs first, each from its own copied file: apt, conda, pip; the folder is not copied', () => {
  const g = gen({ apt: 'apt.txt', environment: 'environment.yml', requirements: 'requirements.txt', requirementsLocal: false });
  order(g.text, 'COPY apt.txt /tmp/transferctl/apt.txt', 'COPY environment.yml', 'COPY requirements.txt /tmp/transferctl/requirements.txt');
  assert.match(g.text, /xargs -r env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends/);
  assert.match(g.text, /mamba env update -n base -f \/tmp\/transferctl\/environment\.yml/);
  assert.match(g.text, /transferctl-error: environment\.yml needs conda or mamba/);
  assert.match(g.text, /PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir -r \/tmp\/transferctl\/requirements\.txt/);
  assert.doesNotMatch(g.text, /COPY (--chown=\S+ )?\. /, 'editing a notebook reinstalls nothing');
  assert.deepEqual(g.files, ['apt.txt', 'environment.yml', 'requirements.txt']);
});

test('binder/ files keep their paths, so the same text builds from the folder (init --dockerfile)', () => {
  const g = gen({ dir: 'binder', apt: 'binder/apt.txt' });
  assert.match(g.text, /^COPY binder\/apt\.txt \/tmp\/transferctl\/binder\/apt\.txt$/m);
});

test('postBuild: after the installs, as the notebook user, in a copy of the folder at the mount point', () => {
  const g = gen({ dir: 'binder', apt: 'binder/apt.txt', requirements: 'binder/requirements.txt', requirementsLocal: false, postBuild: 'binder/postBuild' });
  assert.equal(g.needsFolder, true);
  order(g.text, 'COPY binder/apt.txt', 'COPY binder/requirements.txt', 'COPY --chown=${NB_USER}:users . /home/jovyan/work', 'USER ${NB_USER}', 'RUN cd /home/jovyan/work && chmod +x binder/postBuild && ./binder/postBuild');
  assert.match(g.text, /^ARG NB_USER=jovyan$/m);
  assert.match(g.text, /useradd --create-home --shell \/bin\/bash --gid users "\$NB_USER"/);
  assert.match(g.text.trimEnd(), /USER root$/, 'ends as root, as the user-mapping entrypoint expects');
});

test('start: copied to a known path and named in a label', () => {
  const g = gen({ start: 'start' });
  assert.match(g.text, /^COPY start \/usr\/local\/bin\/transferctl-start$/m);
  assert.match(g.text, /^RUN chmod 755 \/usr\/local\/bin\/transferctl-start$/m);
  assert.match(g.text, /^LABEL org\.transferctl\.start=\/usr\/local\/bin\/transferctl-start$/m);
  assert.equal(g.needsFolder, false);
  assert.deepEqual(g.files, ['start']);
});

test('runtime.txt python-X.Y: a check against the base python3 that stops the build with a plain message', () => {
  const g = gen({ python: '3.9', runtime: 'runtime.txt' });
  assert.match(g.text, /case "\$have" in 3\.9\) ;;/);
  assert.match(g.text, /transferctl-error: runtime\.txt asks for python-3\.9; the base image's python3 is \$\{have:-missing\}/);
  assert.match(g.text, /transferctl-hint: set image\.base in transfer\.json to an image with Python 3\.9/);
  assert.match(gen({ python: '3', runtime: 'runtime.txt' }).text, /case "\$have" in 3\|3\.\*\) ;;/);
  assert.match(gen({ python: '3.11.4', runtime: 'runtime.txt' }).text, /case "\$have" in 3\.11\) ;;/);
});

test('local paths in requirements.txt: pip runs in the copy of the folder', () => {
  const g = gen({ requirements: 'requirements.txt', requirementsLocal: true });
  assert.equal(g.needsFolder, true);
  assert.match(g.text, /RUN cd \/home\/jovyan\/work && PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir -r requirements\.txt/);
  assert.doesNotMatch(g.text, /COPY requirements\.txt/);
});

test('the folder as a Python package: pip install . after the requirements (setup.py or pyproject.toml)', () => {
  const g = gen({ requirements: 'requirements.txt', requirementsLocal: false, pythonPackage: 'pyproject.toml' });
  order(g.text, '-r /tmp/transferctl/requirements.txt', 'COPY --chown=${NB_USER}:users . /home/jovyan/work', 'RUN cd /home/jovyan/work && PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir .');
});

test('Pipfile.lock: pipenv installs the locked packages into the system Python, from the binder folder', () => {
  const g = gen({ dir: 'binder', pack: 'pipfile', pipfile: { path: 'binder/Pipfile.lock', lock: true, files: ['binder/Pipfile', 'binder/Pipfile.lock'] } });
  assert.match(g.text, /^COPY binder\/Pipfile \/tmp\/transferctl\/binder\/Pipfile$/m);
  assert.match(g.text, /^COPY binder\/Pipfile\.lock /m);
  assert.match(g.text, /python3 -m pip install --no-cache-dir pipenv/);
  assert.match(g.text, /cd \/tmp\/transferctl\/binder && PIP_BREAK_SYSTEM_PACKAGES=1 pipenv install --ignore-pipfile --system --dev/);
  const unlocked = gen({ pack: 'pipfile', pipfile: { path: 'Pipfile', lock: false, files: ['Pipfile'] } });
  assert.match(unlocked.text, /pipenv install --skip-lock --system --dev/);
});

test('R: Debian R when the base has none, install.R with Rscript, DESCRIPTION with remotes::install_local', () => {
  const g = gen({ pack: 'r', installR: 'install.R', description: 'DESCRIPTION' });
  order(g.text, 'command -v Rscript >/dev/null || { apt-get update', 'r-base-core r-cran-remotes', 'COPY install.R /tmp/transferctl/install.R', 'RUN Rscript --no-save --no-restore --no-init-file --no-environ /tmp/transferctl/install.R', "remotes::install_local()");
  assert.equal(g.needsFolder, true);
});

test('Julia: needs julia in the base (a plain message otherwise), instantiates the project as the notebook user', () => {
  const g = gen({ pack: 'julia', dir: 'binder', julia: 'binder/Project.toml' });
  assert.match(g.text, /transferctl-error: binder\/Project\.toml needs Julia, and the base image has none/);
  order(g.text, 'USER ${NB_USER}', 'installkernel("Julia", "--project=/home/jovyan/work/binder")', 'julia --project=/home/jovyan/work/binder -e \'using Pkg; Pkg.instantiate(); Pkg.precompile()\'');
});
