// The core promise on a real engine: config → running Jupyter → code runs → files are yours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireEngine, requireImage, LAB_IMAGE, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { runCli } from '../helpers/cli.js';
import { makeWorkspace } from '../helpers/workspace.js';
import { startKernel, runCode } from '../helpers/jupyter.js';
import { L, OCI } from '../../src/labels.js';
import { removeEnvironmentTags } from '../../src/workspace/environment/cache.js';

const USER = 1001;

test('JupyterLab 4 end to end: up as a non-root user, code in a kernel writes a file that belongs to that user', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, LAB_IMAGE))) return;
  const dockerGid = statSync('/var/run/docker.sock').gid;
  const ws = makeWorkspace(t, engine, { image: { base: LAB_IMAGE, name: `tc-test-lab-${process.pid}` }, jupyter: { mode: 'lab' } }, { owner: USER, group: dockerGid });
  t.after(() => engine.images.remove(`tc-test-lab-${process.pid}`, { force: true }).catch(() => {}));
  const env = { HOME: ws.dir };
  const r = await runCli(['up', '--json'], { cwd: ws.dir, uid: USER, gid: dockerGid, env });
  assert.equal(r.code, 0, r.stderr);
  const up = JSON.parse(r.stdout);
  assert.match(up.url, /^http:\/\/127\.0\.0\.1:\d+\/lab\?token=[0-9a-f]{48}$/);
  assert.equal(up.action, 'created');

  const base = `http://127.0.0.1:${up.port}`;
  const kernel = await startKernel(base, up.token);
  const out = await runCode(base, up.token, kernel, `import os\nopen('hello.txt','w').write('written by the kernel')\nprint(os.getuid(), os.getcwd())`);
  assert.equal(out.status, 'ok', out.stdout);
  assert.equal(out.stdout.trim(), `${USER} /home/jovyan/work`);
  const file = join(ws.dir, 'hello.txt');
  assert.equal(readFileSync(file, 'utf8'), 'written by the kernel');
  assert.equal(statSync(file).uid, USER, 'the file belongs to the host user who ran transferctl');
  assert.equal(statSync(ws.dir).uid, USER, 'the mounted folder was not chowned');

  // No token, no entry.
  const denied = await fetch(`${base}/api/kernels`);
  assert.equal(denied.status, 403);

  // Port bound to 127.0.0.1 only; labels on the container and the image.
  const c = await engine.containers.inspect(ws.container);
  assert.equal(c?.ports['8888/tcp'][0].hostIp, '127.0.0.1');
  assert.equal(c?.labels[L.workspace], ws.config);
  const img = await engine.images.inspect(`tc-test-lab-${process.pid}`);
  assert.ok(img?.labels[OCI.created]);
  assert.equal(img?.labels[L.managed], 'true');

  // up twice: harmless, the same URL.
  const again = await runCli(['up', '--json'], { cwd: ws.dir, uid: USER, gid: dockerGid, env });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).url, up.url);
  assert.equal(JSON.parse(again.stdout).action, 'already-running');

  // stop, then up: token and port kept.
  assert.equal((await runCli(['stop'], { cwd: ws.dir })).code, 0);
  assert.equal((await engine.containers.inspect(ws.container))?.running, false);
  const restarted = await runCli(['up', '--json'], { cwd: ws.dir, uid: USER, gid: dockerGid, env });
  assert.equal(restarted.code, 0, restarted.stderr);
  assert.equal(JSON.parse(restarted.stdout).url, up.url);
  assert.equal(JSON.parse(restarted.stdout).action, 'started');

  // status lists it.
  const st = await runCli(['status', '--json'], { cwd: ws.dir });
  const mine = JSON.parse(st.stdout).find((w: { name: string }) => w.name === ws.container);
  assert.equal(mine.state, 'running');
  assert.equal(mine.url, up.url);

  // rm removes the container; the folder stays.
  const rm = await runCli(['rm'], { cwd: ws.dir });
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(await engine.containers.inspect(ws.container), null);
  assert.ok(statSync(file).isFile());
});

test("seed 000's config and flag form: transferctl CONFIG --build --start, then --stop --delete", async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  const text = `{
    "container": { "name": "${ws.container}" },
    "image" : { "name" : "${ws.image}", "base": "${NOTEBOOK6_IMAGE}" },
    "volume": { "mount-point" : "/tf", "host-directory" : "." },
    "jupyter": { "mode": "notebook" },
    "commit": { "name": "bare-notebook-latest", "repo": "nvcr.io" },
}`;
  writeFileSync(join(ws.dir, 'transfer-control.json'), text);
  const r = await runCli(['transfer-control.json', '--build', '--start'], { cwd: ws.dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Built .* from builtin/);
  const url = /http:\/\/127\.0\.0\.1:(\d+)\/tree\?token=([0-9a-f]+)/.exec(r.stdout);
  assert.ok(url, r.stdout);
  const base = `http://127.0.0.1:${url[1]}`;
  const kernel = await startKernel(base, url[2]);
  const out = await runCode(base, url[2], kernel, `import os; print(os.getcwd())`);
  assert.equal(out.stdout.trim(), '/tf');
  const c = await engine.containers.inspect(ws.container);
  assert.equal(c?.labels[L.workspace], join(ws.dir, 'transfer-control.json'));
  const down = await runCli(['transfer-control.json', '--stop', '--delete'], { cwd: ws.dir });
  assert.equal(down.code, 0, down.stderr);
  assert.equal(await engine.containers.inspect(ws.container), null);
});

test('zero-config: `up` in a folder with no config, the same container next time', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, LAB_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  const { rmSync } = await import('node:fs');
  rmSync(ws.config);
  const { loadWorkspace } = await import('../../src/config/load.js');
  const spec = loadWorkspace({ cwd: ws.dir });
  t.after(async () => {
    await engine.containers.remove(spec.containerName, { force: true }).catch(() => {});
    await engine.images.remove(spec.image.name, { force: true }).catch(() => {});
    await removeEnvironmentTags(engine, spec).catch(() => {});
  });
  const r = await runCli(['up', '--offline', '--json'], { cwd: ws.dir });
  assert.equal(r.code, 0, r.stderr);
  const first = JSON.parse(r.stdout);
  assert.equal(first.container, spec.containerName);
  const img = await engine.images.inspect(spec.image.name);
  assert.equal(img?.labels[L.dockerfile], `builtin:${LAB_IMAGE}`);
  const again = JSON.parse((await runCli(['up', '--json'], { cwd: ws.dir })).stdout);
  assert.equal(again.url, first.url);
});
