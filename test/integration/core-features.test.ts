// apt.txt end to end, GPU on an engine without NVIDIA, SSH agent forwarding, base load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE, DEBIAN_IMAGE } from '../helpers/engine.js';
import { runCli } from '../helpers/cli.js';
import { makeWorkspace } from '../helpers/workspace.js';
import { tempDir } from '../helpers/tmp.js';

test('apt.txt: init says it will be installed, the build installs it; the package is there in the workspace', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  writeFileSync(join(ws.dir, 'apt.txt'), '# tools\njq\n');
  const cfg = JSON.parse((await import('node:fs')).readFileSync(ws.config, 'utf8'));
  rmSync(ws.config);
  const init = await runCli(['init'], { cwd: ws.dir });
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /apt\.txt\s+apt-get installs the Debian packages it lists/);
  assert.equal(existsSync(join(ws.dir, 'Dockerfile')), false, 'no Dockerfile unless asked (init --dockerfile)');
  // Keep the test's names and the light notebook-6 base.
  writeFileSync(ws.config, JSON.stringify(cfg));
  const up = await runCli(['up', '--json'], { cwd: ws.dir });
  assert.equal(up.code, 0, up.stderr);
  const c = await engine.containers.inspect(ws.container);
  const r = await engine.containers.exec(c!.id, ['jq', '--version']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^jq-/);
  // Editing code does not change the environment's hash: the next build finds it, installs nothing.
  writeFileSync(join(ws.dir, 'analysis.py'), 'print(1)\n');
  const rebuild = await runCli(['build', '--progress', 'plain'], { cwd: ws.dir });
  assert.equal(rebuild.code, 0, rebuild.stderr);
  assert.match(rebuild.stderr, /environment \S+-env:env-[0-9a-f]{12} is on this engine/);
  assert.doesNotMatch(rebuild.stderr, /apt-get install/);
  // Editing apt.txt changes it: a build, where the layers above the edit are built again.
  writeFileSync(join(ws.dir, 'apt.txt'), '# tools\njq\n# edited\n');
  const edited = await runCli(['build', '--progress', 'plain'], { cwd: ws.dir });
  assert.equal(edited.code, 0, edited.stderr);
  assert.match(edited.stderr, /building the environment: no registry configured/);
  assert.match(edited.stderr, /Using cache/);
});

test('gpu on an engine without the NVIDIA runtime: a clear error, nothing left', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const info = await engine.info();
  if (info.runtimes.includes('nvidia')) return t.skip('this engine has an NVIDIA runtime');
  const ws = makeWorkspace(t, engine, { gpu: true });
  const r = await runCli(['up'], { cwd: ws.dir });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /GPUs were requested, but the engine at .* has no NVIDIA container runtime/);
  assert.match(r.stderr, /NVIDIA Container Toolkit/);
  assert.equal(await engine.containers.inspect(ws.container), null);
});

test('ssh-agent forwarding: the agent socket is inside, SSH_AUTH_SOCK points at it; missing agent is a clear error', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine, { 'ssh-agent': true });
  const none = await runCli(['up'], { cwd: ws.dir, env: { SSH_AUTH_SOCK: '' } });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /ssh-agent forwarding is on, but SSH_AUTH_SOCK is not set/);
  assert.equal(await engine.containers.inspect(ws.container), null);

  const sock = join(tempDir(t), 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  t.after(() => agent.kill());
  for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
  const up = await runCli(['up'], { cwd: ws.dir, env: { SSH_AUTH_SOCK: sock } });
  assert.equal(up.code, 0, up.stderr);
  const c = await engine.containers.inspect(ws.container);
  assert.equal(c?.env.SSH_AUTH_SOCK, '/run/transferctl/ssh-agent.sock');
  const r = await engine.containers.exec(c!.id, ['sh', '-c', 'test -S "$SSH_AUTH_SOCK" && echo socket'], { env: { SSH_AUTH_SOCK: '/run/transferctl/ssh-agent.sock' } });
  assert.equal(r.stdout.trim(), 'socket');
});

test('base load: a docker-save tarball (plain and gzip) comes back, with progress', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, DEBIAN_IMAGE))) return;
  const dir = tempDir(t);
  const tag = `tc-test-load:${process.pid}`;
  execFileSync('docker', ['tag', DEBIAN_IMAGE, tag]);
  t.after(() => engine.images.remove(tag).catch(() => {}));
  const file = join(dir, 'img.tar');
  execFileSync('sh', ['-c', `docker save ${tag} > ${file} && gzip -k -1 ${file}`]);
  for (const f of [file, `${file}.gz`]) {
    await engine.images.remove(tag);
    assert.equal(await engine.images.inspect(tag), null);
    const r = await runCli(['base', 'load', f], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Loaded ${tag.replace(/[.:]/g, '.')}`));
    assert.match(r.stderr, /100% of/);
    assert.ok(await engine.images.inspect(tag));
  }
  const bad = await runCli(['base', 'load', join(dir, 'missing.tar')], { cwd: dir });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /image file not found/);
});
