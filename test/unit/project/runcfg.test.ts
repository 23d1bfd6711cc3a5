// The fixture project's run.cfg and transfer.json profiles → one model; bad input → errors
// with file, line, section and key (no engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProject } from '../../../src/project/discover.js';
import { loadProfiles, findProfile, profileTag } from '../../../src/project/profiles.js';
import { ConfigError, UserError } from '../../../src/errors.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/project', import.meta.url));
const ENV = { USER: 'ann', HOME: '/home/ann' };

function copy(t: { after: (fn: () => void) => void }, runCfg?: string, transferJson?: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'tc-proj-unit-')), 'myproj');
  cpSync(FIXTURE, dir, { recursive: true });
  if (runCfg !== undefined) writeFileSync(join(dir, 'docker/run.cfg'), runCfg);
  if (transferJson !== undefined) writeFileSync(join(dir, 'transfer.json'), transferJson);
  t.after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));
  return dir;
}

function load(dir: string) {
  const project = loadProject({ cwd: join(dir, 'src'), env: ENV });
  return { project, ...loadProfiles(project, { hostEnv: {} }) };
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

test('the fixture run.cfg: every key, one synthetic image, variables replaced', (t) => {
  const dir = copy(t);
  const { project, profiles } = load(dir);
  assert.equal(project.root, dir, 'found from a subfolder');
  assert.equal(project.name, 'myproj');
  assert.deepEqual(project.images.map((i) => i.name), ['base', 'dev', 'notebook']);
  const dev = findProfile(project, profiles, 'dev');
  assert.equal(dev.tag, 'experiment.2017.12.16');
  assert.deepEqual(dev.env, { PROJECT: 'myproj', GREETING: 'hello world', RUNNER: 'ann' });
  assert.equal(dev.mode, 'it');
  assert.deepEqual(dev.gpu, { runtime: 'nvidia', env: { NVIDIA_VISIBLE_DEVICES: 'all' } });
  assert.equal(dev.network, 'bridge');
  assert.deepEqual(dev.mounts, [
    { type: 'bind', source: join(dir, 'src'), target: '/opt/project/src', readOnly: true },
    { type: 'bind', source: join(dir, 'data'), target: '/data', readOnly: true },
    { type: 'tmpfs', target: '/scratch', readOnly: false },
  ]);
  assert.deepEqual(dev.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`), ['127.0.0.1:0->8888', '0.0.0.0:0->8890']);
  assert.deepEqual(dev.cmd, ['sh', '-c', 'echo $GREETING from $PROJECT; ls /data; sh /opt/project/src/app.sh']);
  assert.equal(dev.origin.volumes?.line, 13);

  const shell = findProfile(project, profiles, 'shell');
  assert.equal(shell.synthetic, true);
  assert.equal(shell.image, 'dev');
  assert.equal(shell.mode, 'd');
  assert.equal(profileTag(project, profiles, shell), 'experiment.2017.12.16', "a synthetic image runs its folder's tag");
  assert.equal(profileTag(project, profiles, findProfile(project, profiles, 'notebook')), 'ann', 'default tag: the user name');
  assert.deepEqual(findProfile(project, profiles, 'notebook').cmd, ['sleep', '600']);
});

const BAD: [string, string, RegExp, RegExp?][] = [
  ['unknown key', '[dev]\nenviroment = -e A=1\n', /run\.cfg:2:1: \[dev\] unknown key "enviroment" — did you mean "environment"\?/],
  ['unknown section', '[dve]\ncmd = ls\n', /run\.cfg:1:1: section \[dve\] is neither a folder in docker\/ nor a synthetic image — did you mean \[dev\]\?/],
  ['bad interactive', '[dev]\ninteractive = -e\n', /run\.cfg:2:1: \[dev\] interactive: "-e" is not a run mode: use -it .* -i .* -t .* or -d/],
  ['bad volume', '[dev]\nvolumes = -v /a:/b\n  -v /c:rel\n', /run\.cfg:3:1: \[dev\] volumes: "\/c:rel": the container path "rel" must be absolute/],
  ['bad port', '[notebook]\nports = -p 8888:99999\n', /run\.cfg:2:1: \[notebook\] ports: .*container port "99999" is not a port/],
  ['unsupported flag', '[dev]\nenvironment = -e A=1 --privileged\n', /run\.cfg:2:1: \[dev\] environment: "--privileged" is not supported/],
  ['unclosed quote', '[dev]\n\ncmd = sh -c "echo\n', /run\.cfg:3:1: \[dev\] cmd: a quote is not closed/],
  ['synthetic without section', '[run_image]\nsynthetic_images = shell, other\n[shell]\nname = dev\n', /run\.cfg:2:1: \[run_image\] synthetic_images lists "other", but there is no \[other\] section/],
  ['synthetic without name', '[run_image]\nsynthetic_images = shell\n[shell]\ncmd = ls\n', /run\.cfg:3:1: \[shell\] is a synthetic image but has no "name"/],
  ['synthetic naming no folder', '[run_image]\nsynthetic_images=shell\n[shell]\nname = deb\n', /run\.cfg:4:1: \[shell\] name: "deb" is not a folder in docker\/ — did you mean "dev"\?/],
  ['unknown variable', '[dev]\nvolumes = -v {project}:/p\n', /run\.cfg:2:1: \[dev\] volumes: unknown replacement variable \{project\}/, /\{project-name\}/],
  ['bad tag', '[dev]\ntag = -bad\n', /run\.cfg:2:1: \[dev\] tag: "-bad" is not a valid image tag/],
  ['name outside synthetic', '[dev]\nname = base\n', /run\.cfg:2:1: \[dev\] name: only synthetic images take "name"/],
];

for (const [what, cfg, message, hint] of BAD) {
  test(`run.cfg: ${what} → ConfigError with the line`, (t) => {
    const dir = copy(t, cfg);
    const err = configError(() => load(dir));
    assert.match(err.message, message);
    assert.equal(err.file, join(dir, 'docker/run.cfg'));
    if (hint) assert.match(err.hint ?? '', hint);
  });
}

test('transfer.json profiles: the same model, structured or docker-style', (t) => {
  const json = `{
    // a synthetic profile and a folder's own
    "profiles": {
      "lab": {
        "image": "notebook",
        "environment": { "WHO": "{user}" },
        "interactive": "-d",
        "volumes": ["./data:/data:ro", { "source": "{project-name}-vol", "target": "/v" }],
        "ports": [9999, "0.0.0.0:8080:80"],
        "cmd": ["sleep", "5"],
        "gpu": 2
      },
      "base": { "environment": "-e A=1 -e B='two words'", "tag": "stable" }
    }
  }`;
  const dir = copy(t, '[dev]\ncmd = ls\n', json);
  const { project, profiles } = load(dir);
  const lab = findProfile(project, profiles, 'lab');
  assert.equal(lab.synthetic, true);
  assert.equal(lab.image, 'notebook');
  assert.deepEqual(lab.env, { WHO: 'ann' });
  assert.deepEqual(lab.mounts, [
    { type: 'bind', source: join(dir, 'data'), target: '/data', readOnly: true },
    { type: 'volume', source: 'myproj-vol', target: '/v', readOnly: false },
  ]);
  assert.deepEqual(lab.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`), ['127.0.0.1:9999->9999', '0.0.0.0:8080->80']);
  assert.deepEqual(lab.gpu, { request: { count: 2 }, env: {} });
  assert.deepEqual(findProfile(project, profiles, 'base').env, { A: '1', B: 'two words' });
  assert.equal(profileTag(project, profiles, findProfile(project, profiles, 'base')), 'stable');
});

test('transfer.json profiles: errors at file:line:col', (t) => {
  const dir = copy(t, '', '{\n  "profiles": {\n    "lab": {\n      "image": "notebok"\n    }\n  }\n}\n');
  assert.match(configError(() => load(dir)).message, /transfer\.json:4:16: profiles\.lab\.image: "notebok" is not a folder in docker\/ — did you mean "notebook"\?/);
  const dir2 = copy(t, '', '{"profiles": {"dev": {"ports": ["80:80",\n "1:2:3:4"]}}}');
  assert.match(configError(() => load(dir2)).message, /transfer\.json:2:2: profiles\.dev\.ports: "1:2:3:4" is not a port mapping/);
  const dir3 = copy(t, '', '{"profiles": {"dev": {"interactive": "-x"}}}');
  assert.match(configError(() => load(dir3)).message, /profiles\.dev\.interactive: must be one of "-it", "-ti", "-i", "-t", "-d"/);
});

test('a profile in both run.cfg and transfer.json is an error naming both', (t) => {
  const dir = copy(t, '[dev]\ncmd = ls\n', '{"profiles": {"dev": {"cmd": "ls"}}}');
  assert.match(configError(() => load(dir)).message, /profile "dev" is defined twice: here and in .*run\.cfg:1/);
});

test('no project: a clear error; an unknown image names the ones there are', (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'tc-noproj-'));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  mkdirSync(join(empty, 'docker'));
  assert.throws(() => loadProject({ cwd: empty }), (e: unknown) => e instanceof UserError && /no project here/.test(e.message));
  const dir = copy(t);
  const { project, profiles } = load(dir);
  assert.throws(() => findProfile(project, profiles, 'nb'), /no image or profile "nb"/);
  assert.throws(() => findProfile(project, profiles, 'notebok'), /did you mean "notebook"/);
});

test("seed 004's own run.cfg snippets work as written (and [run-image] as the seed's prose names it)", (t) => {
  const seed = '[run_image]\nsynthetic_images=shell\n\n[shell]\nname=dev\n\n[dev]\ntag=experiment.2017.12.16\n';
  for (const cfg of [seed, seed.replace('[run_image]', '[run-image]')]) {
    const dir = copy(t, cfg);
    const { project, profiles } = load(dir);
    const shell = findProfile(project, profiles, 'shell');
    assert.equal(shell.image, 'dev');
    assert.equal(profileTag(project, profiles, shell), 'experiment.2017.12.16');
  }
  const spaced = copy(t, '[run_image]\nsynthetic_images = a b,c\n[a]\nname=dev\n[b]\nname=dev\n[c]\nname=notebook\n');
  const { profiles } = load(spaced);
  assert.deepEqual(profiles.filter((p) => p.synthetic).map((p) => `${p.name}→${p.image}`), ['a→dev', 'b→dev', 'c→notebook']);
});
