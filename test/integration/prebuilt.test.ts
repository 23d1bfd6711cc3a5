// Prebuilt environments against the real engine and Debian's docker-registry: machine A builds
// and pushes the environment image (build --push-cache); a fresh second engine B (a dockerd in
// its own network namespace, reached as DOCKER_HOST=ssh://B) runs `up` and pulls it instead of
// building. A notebook edit keeps the hash (a local hit), a requirements.txt edit rebuilds;
// without a registry the build says why.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { BIN, runCli } from '../helpers/cli.js';
import { startRegistry } from '../helpers/registry.js';
import { seedRemote, startRemote, type RemoteRig } from '../helpers/remote.js';
import { makeWorkspace, type TestWorkspace } from '../helpers/workspace.js';
import { tempDir } from '../helpers/tmp.js';
import type { Engine } from '../../src/engine/index.js';
import type { BuildResult } from '../../src/workspace/build.js';
import type { UpResult } from '../../src/workspace/up.js';

/** A notebook workspace on the bookworm Jupyter base with a requirements.txt pip installs offline. */
function envWorkspace(t: TestContext, engine: Engine, image: Record<string, unknown> = {}): TestWorkspace {
  const ws = makeWorkspace(t, engine);
  const cfg = JSON.parse(readFileSync(ws.config, 'utf8')) as { image: Record<string, unknown> };
  cfg.image = { ...cfg.image, ...image };
  writeFileSync(ws.config, JSON.stringify(cfg, null, 2));
  writeFileSync(join(ws.dir, 'analysis.ipynb'), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }));
  writeFileSync(join(ws.dir, 'requirements.txt'), '# no packages yet (PyPI is out of reach here)\n');
  return ws;
}

/** Remove the hash-tagged environment images a test made (after the workspace images built on them). */
function removeTagsAfter(t: TestContext, engine: Engine, ws: TestWorkspace, tags: Set<string>): void {
  t.after(async () => {
    await engine.containers.remove(ws.container, { force: true }).catch(() => {});
    for (const img of await engine.images.list({ labels: [`org.transferctl.host-directory=${ws.dir}`] }).catch(() => [])) {
      await engine.images.remove(img.id, { force: true }).catch(() => {});
    }
    for (const tag of tags) await engine.images.remove(tag, { force: true }).catch(() => {});
  });
}

async function build(ws: TestWorkspace, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<BuildResult> {
  const r = await runCli(['build', '--json', ...args], { cwd: ws.dir, env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as BuildResult;
}

/** `up` through ssh stays attached while it forwards the port: its JSON, and the process. */
function attachedUp(cwd: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; result: UpResult }> {
  const child = spawn(process.execPath, [BIN, 'up', '--json'], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => {
      stdout += d;
      try {
        resolve({ child, result: JSON.parse(stdout) as UpResult });
      } catch {
        // not all of it yet
      }
    });
    child.on('close', (code) => reject(new Error(`up exited (${code}) before printing its result: ${stderr}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const closed = new Promise<void>((r) => child.on('close', () => r()));
  child.kill('SIGTERM');
  await closed;
}

/** B reaches the registry on its own loopback (ssh -R), as A does on its own; wait until it answers there. */
async function forwardRegistry(t: TestContext, rig: RemoteRig, host: string): Promise<void> {
  const port = host.split(':')[1];
  const opts = rig.sshOpts.split(' ');
  const fwd = spawn('ssh', [...opts, '-N', '-o', 'ExitOnForwardFailure=yes', '-R', `127.0.0.1:${port}:127.0.0.1:${port}`, rig.dest], { stdio: 'ignore' });
  t.after(() => void fwd.kill());
  for (let i = 0; i < 40; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const probe = spawn('ssh', [...opts, rig.dest, `exec 3<>/dev/tcp/127.0.0.1/${port}`], { stdio: 'ignore' });
      probe.on('close', (code) => resolve(code === 0));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the registry forward to B on 127.0.0.1:${port} never answered`);
}

test('A builds and pushes the environment; a fresh engine B runs up and pulls it, building nothing', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const registry = await startRegistry(t);
  if (!registry) return;
  const rig = await startRemote(t, 'pb');
  if (!rig) return;
  const env = { DOCKER_CONFIG: tempDir(t, 'tc-pb-cfg-') };
  const cacheRepo = `${registry.host}/tc-prebuilt-env`;
  const ws = envWorkspace(t, engine, { 'cache-repo': cacheRepo });
  const tags = new Set<string>();
  removeTagsAfter(t, engine, ws, tags);

  // A: nothing anywhere yet → built, tagged <cache-repo>:env-<hash12>, pushed.
  const first = await build(ws, ['--push-cache'], env);
  assert.equal(first.cache, 'built');
  assert.match(first.hashTag ?? '', new RegExp(`^${cacheRepo.replace(/[.]/g, '\\.')}:env-[0-9a-f]{12}$`));
  assert.match(first.why ?? '', /not in .* yet/);
  assert.equal(first.pushed, first.hashTag);
  tags.add(first.hashTag!);
  const envIdA = (await engine.images.inspect(first.hashTag!))!.id;

  // A notebook edit never changes the hash: the next build finds the environment on this engine.
  writeFileSync(join(ws.dir, 'analysis.ipynb'), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'markdown', metadata: {}, source: 'edited' }] }));
  const again = await build(ws, [], env);
  assert.equal(again.cache, 'local');
  assert.equal(again.hashTag, first.hashTag);

  // B: an engine with the base and nothing else; `up` there pulls the environment.
  await seedRemote(rig, NOTEBOOK6_IMAGE);
  assert.equal(await rig.engine.images.inspect(first.hashTag!), null);
  await forwardRegistry(t, rig, registry.host);
  const { child, result } = await attachedUp(ws.dir, { ...env, DOCKER_HOST: `ssh://${rig.dest}`, TRANSFERCTL_SSH_OPTS: rig.sshOpts });
  try {
    assert.equal(result.built, true, 'B had no workspace image');
    assert.deepEqual(result.environment, { cache: 'pulled', hashTag: first.hashTag }, 'pulled, not built');
    assert.equal((await rig.engine.images.inspect(first.hashTag!))?.id, envIdA, 'B runs the very environment A built');
    const ws_b = await rig.engine.images.inspect(ws.image);
    assert.ok(ws_b, 'the workspace image (labels on the pulled environment) is on B');
    assert.equal(ws_b.labels['org.transferctl.host-directory'], ws.dir);
    const status = await fetch(`${new URL(result.url).origin}/api/status?token=${result.token}`);
    assert.equal(status.status, 200, 'Jupyter answers on B');
  } finally {
    await stop(child);
  }

  // A requirements.txt edit changes the hash: a new environment is built.
  writeFileSync(join(ws.dir, 'requirements.txt'), '# no packages yet (PyPI is out of reach here)\n# edited\n');
  const rebuilt = await build(ws, [], env);
  tags.add(rebuilt.hashTag!);
  assert.equal(rebuilt.cache, 'built');
  assert.notEqual(rebuilt.hashTag, first.hashTag);
});

test('no registry configured: the build says why, a second build finds it, --push-cache is refused; --offline says so', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = envWorkspace(t, engine);
  const tags = new Set<string>();
  removeTagsAfter(t, engine, ws, tags);

  const first = await build(ws);
  tags.add(first.hashTag!);
  assert.equal(first.cache, 'built');
  assert.equal(first.hashTag, `${ws.image}-env:${first.hashTag!.split(':')[1]}`);
  assert.match(first.why ?? '', /no registry configured/);
  assert.equal((await build(ws)).cache, 'local');

  const push = await runCli(['build', '--push-cache'], { cwd: ws.dir });
  assert.equal(push.code, 2);
  assert.match(push.stderr, /--push-cache: no registry/);

  // With a registry configured, --offline builds and says why (after the cached tag is gone).
  const cfg = JSON.parse(readFileSync(ws.config, 'utf8')) as { image: Record<string, unknown> };
  cfg.image['cache-repo'] = '127.0.0.1:9/tc-prebuilt-offline';
  writeFileSync(ws.config, JSON.stringify(cfg, null, 2));
  const offline = await runCli(['build', '--offline'], { cwd: ws.dir });
  assert.equal(offline.code, 0, offline.stderr);
  assert.match(offline.stderr, /building the environment: --offline/);
  const tag = /environment built \(([^)]+)\)/.exec(offline.stdout)?.[1];
  assert.ok(tag, offline.stdout);
  tags.add(tag);
});
