// devcontainer.json on a real engine: an image config and a build config end to end (env,
// mounts, lifecycle commands, remoteUser mapped onto the host user, build args and target),
// and the refusals (runArgs outside the allow-list, features, no Jupyter, a failing command)
// that leave no container behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { runCli } from '../helpers/cli.js';
import { makeWorkspace } from '../helpers/workspace.js';
import { tempDir } from '../helpers/tmp.js';
import { startKernel, runCode } from '../helpers/jupyter.js';
import { L } from '../../src/labels.js';

const USER = 1001;
const BARE_IMAGE = 'transferctl/debian:bookworm';

function writeDevcontainer(dir: string, config: unknown, name = '.devcontainer/devcontainer.json'): void {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
}

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

test('an image config end to end: env, a mount, remoteUser as the host user, postCreate once, postStart per start, postAttach per up', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const dockerGid = statSync('/var/run/docker.sock').gid;
  const ws = makeWorkspace(t, engine, {}, { owner: USER, group: dockerGid });
  const data = tempDir(t, 'tc-dc-data-');
  chownSync(data, USER, dockerGid);
  writeDevcontainer(
    ws.dir,
    `// the forms the Dev Containers CLI's own test configs use
{
  "image": "${NOTEBOOK6_IMAGE}",
  "containerEnv": { "DC_CONTAINER": "from containerEnv" },
  "remoteEnv": { "DC_LOCAL": "\${localEnv:TC_DC_TEST}", "DC_PATH": "\${containerEnv:PATH}" },
  "mounts": ["source=${data},target=/data,type=bind,consistency=cached"],
  "remoteUser": "analyst",
  "postCreateCommand": "echo created >> /data/created.log",
  "postStartCommand": ["sh", "-c", "echo started >> /data/started.log"],
  "postAttachCommand": { "log": "echo attached >> /data/attached.log" },
}`,
  );
  const env = { HOME: ws.dir, TC_DC_TEST: 'from the host' };
  const asUser = { cwd: ws.dir, uid: USER, gid: dockerGid, env };
  const r = await runCli(['up', '--json'], asUser);
  assert.equal(r.code, 0, r.stderr);
  const up = JSON.parse(r.stdout);
  const base = `http://127.0.0.1:${up.port}`;
  const kernel = await startKernel(base, up.token);
  const out = await runCode(base, up.token, kernel, 'import os, getpass\nprint(os.environ["DC_CONTAINER"], os.environ["DC_LOCAL"], os.environ["DC_PATH"], sep="|")\nprint(os.getuid(), getpass.getuser(), os.getcwd(), open("/data/created.log").read().strip(), sep="|")');
  assert.equal(out.status, 'ok', out.stdout);
  const [envLine, userLine] = out.stdout.trim().split('\n');
  assert.equal(envLine, 'from containerEnv|from the host|/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  assert.equal(userLine, `${USER}|analyst|/workspaces/${basename(ws.dir)}|created`);
  assert.equal(statSync(join(data, 'created.log')).uid, USER, 'lifecycle commands run as the host user');
  const counts = () => [lines(join(data, 'created.log')).length, lines(join(data, 'started.log')).length, lines(join(data, 'attached.log')).length];
  assert.deepEqual(counts(), [1, 1, 1]);

  // up again (running): only postAttach.
  const again = await runCli(['up', '--json'], asUser);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).url, up.url);
  assert.deepEqual(counts(), [1, 1, 2]);

  // stop, up: postStart and postAttach, not postCreate.
  assert.equal((await runCli(['stop'], asUser)).code, 0);
  const restarted = await runCli(['up', '--json'], asUser);
  assert.equal(restarted.code, 0, restarted.stderr);
  assert.equal(JSON.parse(restarted.stdout).action, 'started');
  assert.deepEqual(counts(), [1, 2, 3]);

  // shell: postAttach first.
  const shell = await runCli(['shell'], { ...asUser, input: 'exit 0\n' });
  assert.equal(shell.code, 0, shell.stderr);
  assert.deepEqual(counts(), [1, 2, 4]);

  // The image is transferctl's workspace image, labelled with where it came from; save works.
  const img = await engine.images.inspect(ws.image);
  assert.equal(img?.labels[L.dockerfile], 'devcontainer:.devcontainer/devcontainer.json');
  const save = await runCli(['save', '--json'], asUser);
  assert.equal(save.code, 0, save.stderr);
  const saved = JSON.parse(save.stdout);
  t.after(async () => {
    for (const ref of [saved.image, ...(saved.tags ?? [])].filter(Boolean)) await engine.images.remove(ref, { force: true }).catch(() => {});
  });
  // Mounted content stays on the host: the saved image has the folder under /archive only,
  // nothing of the extra mount /data nor of the folder at its workspaceFolder.
  const folder = `/workspaces/${basename(ws.dir)}`;
  const probe = await engine.containers.create({ image: saved.imageId, entrypoint: ['/bin/sh', '-c', `ls -A /data ${folder} 2>/dev/null; echo end`], cmd: [] });
  try {
    await engine.containers.start(probe);
    await engine.containers.wait(probe);
    assert.equal((await engine.containers.logsText(probe, 20)).trim(), 'end', 'nothing of the mounted /data is in the saved image');
  } finally {
    await engine.containers.remove(probe, { force: true });
  }
});

test('a build config: Dockerfile, args and target from devcontainer.json win over a root Dockerfile; features the image has pass', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  writeFileSync(join(ws.dir, 'Dockerfile'), 'FROM transferctl/no-such-image:never\n');
  mkdirSync(join(ws.dir, '.devcontainer'));
  writeFileSync(
    join(ws.dir, '.devcontainer', 'Dockerfile'),
    `FROM ${NOTEBOOK6_IMAGE} AS desired-image
ARG GREETING=unset
LABEL devcontainer.metadata='[{"id":"ghcr.io/devcontainers/features/common-utils:2"}]'
RUN echo "$GREETING" > /greeting
FROM desired-image AS not-this-one
RUN exit 1
`,
  );
  writeDevcontainer(ws.dir, {
    build: { dockerfile: 'Dockerfile', target: 'desired-image', args: { GREETING: 'hello ${localEnv:TC_DC_WHO}' } },
    features: { 'ghcr.io/devcontainers/features/common-utils:2': { installZsh: false } },
    workspaceMount: 'source=${localWorkspaceFolder},target=/srv/notebooks,type=bind',
    workspaceFolder: '/srv/notebooks',
  });
  const env = { TC_DC_WHO: 'world' };
  const b = await runCli(['build'], { cwd: ws.dir, env });
  assert.equal(b.code, 0, b.stderr + b.stdout);
  const r = await runCli(['up', '--json'], { cwd: ws.dir, env });
  assert.equal(r.code, 0, r.stderr);
  const up = JSON.parse(r.stdout);
  const base = `http://127.0.0.1:${up.port}`;
  const out = await runCode(base, up.token, await startKernel(base, up.token), 'import os\nprint(open("/greeting").read().strip(), os.getcwd(), sorted(os.listdir(".")).count("transfer.json"))');
  assert.equal(out.stdout.trim(), 'hello world /srv/notebooks 1');
});

async function refused(t: Parameters<Parameters<typeof test>[1]>[0], config: unknown, stderr: RegExp, file?: string) {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  writeDevcontainer(ws.dir, config, file);
  const r = await runCli(['up'], { cwd: ws.dir });
  assert.notEqual(r.code, 0, r.stdout);
  assert.match(r.stderr, stderr);
  assert.equal(await engine.containers.inspect(ws.container), null, 'no container is left');
  return { engine, ws, r };
}

test('runArgs outside run.cfg\'s allow-list are refused by name, at file:line:column, before anything is built', async (t) => {
  const res = await refused(t, { image: NOTEBOOK6_IMAGE, runArgs: ['-e', 'A=1', '--privileged'] }, /devcontainer\.json:6:5: runArgs\.2: "--privileged" is not supported in runArgs \(allowed: -e\/--env/);
  if (!res) return;
  assert.equal(res.r.code, 2);
  assert.equal(await res.engine.images.inspect(res.ws.image), null, 'nothing was built');
});

test('features the image lacks: a clear error naming them, no image tagged', async (t) => {
  const res = await refused(
    t,
    { image: NOTEBOOK6_IMAGE, features: { 'ghcr.io/devcontainers/features/node:1': {}, 'ghcr.io/devcontainers/features/go:1': {} } },
    /features "ghcr\.io\/devcontainers\/features\/node:1", "ghcr\.io\/devcontainers\/features\/go:1" need an OCI registry/,
  );
  if (!res) return;
  assert.match(res.r.stderr, /devcontainer\.json:\d+:\d+/);
  assert.equal(await res.engine.images.inspect(res.ws.image), null);
});

test('an image without Jupyter: a clear error saying how to add it', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, BARE_IMAGE))) return;
  const res = await refused(t, { image: BARE_IMAGE }, /has no Jupyter: jupyter-notebook is not on its PATH[\s\S]*pip install jupyterlab/);
  if (!res) return;
  assert.equal(await engine.images.inspect(res.ws.image), null);
});

test('a failing postCreateCommand: the error names it and its output, and the container is removed', async (t) => {
  // The folder's own .devcontainer.json form.
  await refused(
    t,
    { image: NOTEBOOK6_IMAGE, postCreateCommand: 'echo "no such package" >&2; exit 3' },
    /postCreateCommand \(.*\/\.devcontainer\.json:\d+:\d+\) failed with exit code 3; its last lines:\n\s+no such package/,
    '.devcontainer.json',
  );
});

test('a bind mount whose host folder is missing: named at devcontainer.json before anything is built', async (t) => {
  const res = await refused(t, { image: NOTEBOOK6_IMAGE, mounts: [{ type: 'bind', source: '/nonexistent/tc-dc-data', target: '/data' }] }, /devcontainer\.json:\d+:\d+: mounts: the host folder \/nonexistent\/tc-dc-data \(for \/data\) does not exist/);
  if (!res) return;
  assert.equal(await res.engine.images.inspect(res.ws.image), null);
});

test('a postStartCommand that fails at a later start: the error, and the container is stopped again (kept, not removed)', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  writeDevcontainer(ws.dir, { image: NOTEBOOK6_IMAGE, postStartCommand: 'test ! -e fail-next-start || { echo "asked to fail"; exit 4; }' });
  const first = await runCli(['up'], { cwd: ws.dir });
  assert.equal(first.code, 0, first.stderr);
  assert.equal((await runCli(['stop'], { cwd: ws.dir })).code, 0);
  writeFileSync(join(ws.dir, 'fail-next-start'), '');
  const r = await runCli(['up'], { cwd: ws.dir });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /postStartCommand \(.*devcontainer\.json:\d+:\d+\) failed with exit code 4; its last lines:\n\s+asked to fail/);
  const c = await engine.containers.inspect(ws.container);
  assert.equal(c?.running, false, 'the container it started is stopped again');
});

test('Ctrl-C during a long postCreateCommand: it is not waited for, and no container is left', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  writeDevcontainer(ws.dir, { image: NOTEBOOK6_IMAGE, postCreateCommand: 'sleep 600' });
  const { spawn } = await import('node:child_process');
  const { BIN } = await import('../helpers/cli.js');
  const child = spawn(process.execPath, [BIN, 'up'], { cwd: ws.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // Wait until the command runs in the container, then press Ctrl-C.
  const sleeping = async () => {
    const c = await engine.containers.inspect(ws.container);
    return !!c?.running && (await engine.containers.exec(c.id, ['sh', '-c', 'ps -eo args | grep -q "^sleep 600"'])).exitCode === 0;
  };
  for (let i = 0; i < 600 && !(await sleeping()); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(await sleeping(), `the postCreateCommand runs (${stderr})`);
  child.kill('SIGINT');
  const code = await new Promise((r) => child.on('close', r));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted/);
  assert.equal(await engine.containers.inspect(ws.container), null, 'no container is left');
});

test('.devcontainer/<name>/ as root: init leaves the folder to workspaceFolder; remoteUser runs Jupyter and the lifecycle commands', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  if (process.getuid?.() !== 0) return t.skip('needs root: a root host user maps onto nothing');
  const ws = makeWorkspace(t, engine);
  const cfg = readFileSync(ws.config, 'utf8');
  rmSync(ws.config);
  writeDevcontainer(ws.dir, { image: NOTEBOOK6_IMAGE, remoteUser: 'jovyan', workspaceFolder: '/srv/project', postCreateCommand: 'id -un > /tmp/created-by' }, '.devcontainer/py/devcontainer.json');
  const init = await runCli(['init'], { cwd: ws.dir });
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /builds from: \.devcontainer\/py\/devcontainer\.json/);
  assert.equal(JSON.parse(readFileSync(ws.config, 'utf8')).volume, undefined, 'no mount-point that would override workspaceFolder');
  // The test's names and notebook-6 Jupyter, kept from its own config (still no volume keys).
  const names = JSON.parse(cfg);
  writeFileSync(ws.config, JSON.stringify({ container: names.container, image: names.image, jupyter: names.jupyter }));
  const r = await runCli(['up', '--json'], { cwd: ws.dir });
  assert.equal(r.code, 0, r.stderr);
  const up = JSON.parse(r.stdout);
  const base = `http://127.0.0.1:${up.port}`;
  const kernel = await startKernel(base, up.token);
  const out = await runCode(base, up.token, kernel, 'import os, getpass\nprint(getpass.getuser(), os.getuid(), os.getcwd(), open("/tmp/created-by").read().strip(), sep="|")');
  assert.equal(out.status, 'ok', out.stdout);
  assert.equal(out.stdout.trim(), 'jovyan|1000|/srv/project|jovyan');
});
