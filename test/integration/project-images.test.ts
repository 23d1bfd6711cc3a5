// The fixture project (docker/base, docker/dev, docker/notebook, docker/run.cfg) built and run
// on the real engine through the CLI, checked through inspect; bad input leaves nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { BIN, runCli } from '../helpers/cli.js';
import { requireEngine, requireImage } from '../helpers/engine.js';
import { credentialHelperEnv, startRegistry } from '../helpers/registry.js';
import { tempDir } from '../helpers/tmp.js';
import { createEngine, type Engine } from '../../src/engine/index.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/project', import.meta.url));
const NAME = `tcproj-${randomBytes(3).toString('hex')}`;
const PARENT = mkdtempSync(join(tmpdir(), 'tc-proj-int-'));
const ROOT = join(PARENT, NAME);
const ENV = { TRANSFERCTL_USER: 'tester' };
const DEV = `${NAME}-dev:experiment.2017.12.16`;
const BASE = `${NAME}-base:tester`;
const NOTEBOOK = `${NAME}-notebook:tester`;
const LABEL = 'org.transferctl.project';
const engine: Engine = createEngine();

const cli = (args: string[], cwd = join(ROOT, 'src')) => runCli(args, { cwd, env: ENV });

async function ours(): Promise<{ containers: string[]; images: string[] }> {
  const containers = (await engine.containers.list({ labels: [`${LABEL}=${ROOT}`] })).map((c) => c.name);
  const images = (await engine.images.list({ labels: [`${LABEL}=${ROOT}`] })).flatMap((i) => i.repoTags);
  return { containers, images };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

before(() => {
  cpSync(FIXTURE, ROOT, { recursive: true });
  writeFileSync(join(ROOT, 'src/secret.log'), 'not for the image');
});

after(async () => {
  try {
    for (const c of await engine.containers.list({ labels: [`${LABEL}=${ROOT}`] })) await engine.containers.remove(c.id, { force: true });
    // Children before parents: a few passes until nothing of ours is left.
    for (let pass = 0; pass < 4; pass++) {
      const left = await engine.images.list({ labels: [`${LABEL}=${ROOT}`] });
      if (left.length === 0) break;
      for (const i of left) await engine.images.remove(i.id, { force: true }).catch(() => {});
    }
  } catch {
    // no engine: nothing was made
  }
  rmSync(PARENT, { recursive: true, force: true });
});

test('build-image dev builds docker/base first, then dev FROM it, stamped and labelled', async (t) => {
  await requireEngine(t);
  if (!(await requireImage(t, engine, 'transferctl/debian:bookworm'))) return;
  const r = await cli(['build-image', 'dev']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Built ${BASE} .*\\n.*Built ${DEV.replace(/\./g, '\\.')}`));
  const base = await engine.images.inspect(BASE);
  const dev = await engine.images.inspect(DEV);
  assert.ok(base && dev, 'both tags exist');
  assert.deepEqual(dev.layers.slice(0, base.layers.length), base.layers, 'dev is built FROM base');
  assert.equal(dev.labels['org.transferctl.managed'], 'true');
  assert.equal(dev.labels[LABEL], ROOT);
  assert.equal(dev.labels['org.transferctl.project.image'], 'dev');
  assert.equal(dev.labels['org.opencontainers.image.version'], '0+unknown');

  // The version file and the .dockerignore, seen from inside the image (no mounts).
  const id = await engine.containers.create({
    image: DEV,
    cmd: ['sh', '-c', 'cat /opt/project/_version.json; ls /opt/project/src'],
    labels: { [LABEL]: ROOT, 'org.transferctl.managed': 'true' },
  });
  await engine.containers.start(id);
  assert.equal(await engine.containers.wait(id), 0);
  const out = await engine.containers.logsText(id, 100);
  await engine.containers.remove(id, { force: true });
  assert.match(out, /"version": "0\+unknown"/);
  assert.match(out, /app\.sh/);
  assert.doesNotMatch(out, /secret\.log/, '.dockerignore keeps **/*.log out');

  // Again after touching one source file: base and the layers before COPY src come from the cache.
  writeFileSync(join(ROOT, 'src/util.sh'), readFileSync(join(ROOT, 'src/util.sh'), 'utf8') + '# touched\n');
  const again = await cli(['image', 'build', 'dev', '--json']);
  assert.equal(again.code, 0, again.stderr);
  const result = JSON.parse(again.stdout) as { images: { folder: string; cachedSteps: number; rebuiltSteps: number }[] };
  assert.equal(result.images[0].rebuiltSteps, 0, 'base entirely from the cache');
  assert.ok(result.images[1].cachedSteps >= 2, JSON.stringify(result.images[1]));
  assert.ok(result.images[1].rebuiltSteps <= 3, JSON.stringify(result.images[1]));
});

test('run-image dev (-it profile, no terminal here): environment, mounts and command; removed after', async (t) => {
  await requireEngine(t);
  if (!(await engine.images.inspect(DEV))) return t.skip('needs the build test');
  const r = await cli(['run-image', 'dev']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`hello world from ${NAME}`));
  assert.match(r.stdout, /sample\.csv/, 'data/ is mounted at /data');
  assert.match(r.stdout, /app of base version 0\+unknown/);
  const code = await cli(['image', 'run', 'dev', '--', 'sh', '-c', 'echo "$RUNNER"; exit 7']);
  assert.equal(code.code, 7);
  assert.match(code.stdout, /^tester$/m);
  assert.deepEqual((await ours()).containers, [], 'attached runs leave no container');
});

test('run-image dev in a real terminal (-it): the container gets a tty, the exit code comes back', async (t) => {
  await requireEngine(t);
  if (!(await engine.images.inspect(DEV))) return t.skip('needs the build test');
  // `script` gives the CLI a pseudo-terminal, as a user's shell would.
  const line = `node ${JSON.stringify(BIN)} run-image dev -- sh -c 'tty; exit 5'`;
  const r = await new Promise<{ code: number; out: string }>((resolve) => {
    const child = spawn('script', ['-qec', line, '/dev/null'], { cwd: ROOT, env: { ...process.env, ...ENV, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
  assert.match(r.out, /\/dev\/pts\/\d+/, r.out);
  assert.equal(r.code, 5);
  assert.deepEqual((await ours()).containers, []);
});

test('image run -d: ports on 127.0.0.1 unless the cfg names an address; everything through inspect', async (t) => {
  await requireEngine(t);
  if (!(await engine.images.inspect(DEV))) return t.skip('needs the build test');
  const r = await cli(['image', 'run', 'dev', '-d', '--', 'sleep', '600']);
  assert.equal(r.code, 0, r.stderr);
  const name = r.stdout.trim();
  assert.match(name, new RegExp(`^${NAME}-dev-[0-9a-f]{6}$`));
  const c = await engine.containers.inspect(name);
  assert.ok(c?.running);
  assert.equal(c.image, DEV);
  assert.deepEqual(c.cmd, ['sleep', '600']);
  assert.equal(c.env.GREETING, 'hello world');
  assert.equal(c.env.PROJECT, NAME);
  assert.equal(c.env.RUNNER, 'tester');
  assert.equal(c.env.NVIDIA_VISIBLE_DEVICES, undefined, 'gpu settings only with --gpu');
  assert.equal(c.ports['8888/tcp'][0].hostIp, '127.0.0.1');
  assert.ok(c.ports['8888/tcp'][0].hostPort > 0);
  assert.equal(c.ports['8890/tcp'][0].hostIp, '0.0.0.0');
  const mounts = Object.fromEntries(c.mounts.map((m) => [m.destination, m]));
  assert.equal(mounts['/opt/project/src'].source, join(ROOT, 'src'));
  assert.equal(mounts['/opt/project/src'].readOnly, true);
  assert.equal(mounts['/data'].source, join(ROOT, 'data'));
  assert.equal(c.labels['org.transferctl.project.profile'], 'dev');
  assert.equal(c.labels['org.transferctl.managed'], 'true');
  await engine.containers.remove(c.id, { force: true });
});

test('synthetic image "shell" runs docker/dev with its own settings, detached', async (t) => {
  await requireEngine(t);
  if (!(await engine.images.inspect(DEV))) return t.skip('needs the build test');
  const r = await cli(['image', 'run', 'shell', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { container: string; mode: string };
  assert.equal(result.mode, 'd');
  const c = await engine.containers.inspect(result.container);
  assert.ok(c?.running);
  assert.equal(c.image, DEV, "the dev folder's image and tag");
  assert.equal(c.env.ROLE, 'shell');
  assert.equal(c.env.GREETING, undefined, "a synthetic section does not inherit dev's settings");
  assert.deepEqual(c.cmd, ['sleep', '600']);
  assert.deepEqual(c.mounts.map((m) => [m.source, m.destination]), [[join(ROOT, 'src'), '/work']]);
  assert.equal(c.labels['org.transferctl.project.profile'], 'shell');
  await engine.containers.remove(c.id, { force: true });
});

test('a transfer.json profile with a fixed port builds what it needs and binds 127.0.0.1', async (t) => {
  await requireEngine(t);
  if (!(await requireImage(t, engine, 'transferctl/debian:bookworm'))) return;
  const port = await freePort();
  writeFileSync(join(ROOT, 'transfer.json'), JSON.stringify({ profiles: { lab: { image: 'notebook', ports: [`${port}:8888`], environment: { WHO: '{user}' } } } }));
  t.after(() => rmSync(join(ROOT, 'transfer.json'), { force: true }));
  const show = await cli(['image', 'show', 'lab']);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, new RegExp(`port +127\\.0\\.0\\.1:${port} → 8888/tcp`));
  const r = await cli(['image', 'run', 'lab', '-d']);
  assert.equal(r.code, 0, r.stderr);
  const c = await engine.containers.inspect(r.stdout.trim());
  assert.ok(c?.running);
  assert.equal(c.image, NOTEBOOK);
  assert.deepEqual(c.ports['8888/tcp'], [{ hostIp: '127.0.0.1', hostPort: port }]);
  assert.equal(c.env.WHO, 'tester');
  assert.deepEqual(c.cmd, ['sleep', '600'], "the image's own CMD");
  await engine.containers.remove(c.id, { force: true });
});

test('--gpu without an NVIDIA runtime: a clear error and no container', async (t) => {
  await requireEngine(t);
  if (!(await engine.images.inspect(NOTEBOOK))) return t.skip('needs the notebook image');
  const runtime = await cli(['image', 'run', 'dev', '--gpu', '-d']);
  assert.equal(runtime.code, 3);
  assert.match(runtime.stderr, /--gpu asks for the "nvidia" runtime, but the engine at .* has only: /);
  assert.match(runtime.stderr, /NVIDIA Container Toolkit/);
  const request = await cli(['image', 'run', 'notebook', '-g']);
  assert.equal(request.code, 3, request.stderr);
  assert.match(request.stderr, /--gpu asks for GPUs, but the engine at .* has no NVIDIA container runtime/);
  assert.deepEqual((await ours()).containers, []);
});

test('bad run.cfg entries: the line, the section, the key; nothing created', async (t) => {
  await requireEngine(t);
  const cfgPath = join(ROOT, 'docker/run.cfg');
  const good = readFileSync(cfgPath, 'utf8');
  t.after(() => writeFileSync(cfgPath, good));
  const before = await ours();
  const cases: [string, string, RegExp][] = [
    ['dev', good.replace('interactive = -it', 'interactive = -e'), /run\.cfg:10:1: \[dev\] interactive: "-e" is not a run mode: use -it .*-i .*-t .*-d/],
    ['dev', good.replace('network = bridge', 'network = tc-no-such-net-4e1f'), /run\.cfg:12:1: \[dev\] network: the network "tc-no-such-net-4e1f" does not exist/],
    ['shell', good.replace('-v ./src:/work', '-v ./no-such-folder:/work'), /run\.cfg:\d+:1: \[shell\] volumes: the host folder .*no-such-folder .*does not exist/],
    ['dev', good.replace('ports = -p 8888 -p', 'ports = -p 8888:8888:8888:1 -p'), /run\.cfg:16:1: \[dev\] ports: "8888:8888:8888:1" is not a port mapping/],
  ];
  for (const [target, cfg, message] of cases) {
    writeFileSync(cfgPath, cfg);
    const r = await cli(['image', 'run', target, '-d']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack');
  }
  assert.deepEqual(await ours(), before, 'nothing was created');
});

test('a tag transferctl did not make is not moved without --force', async (t) => {
  const e = await requireEngine(t);
  // An image with no labels at all, as a user's own `docker import` makes (the test base
  // images carry transferctl's labels, so a tag of one of them would count as ours).
  const foreign = `${NAME}-base:foreign`;
  execFileSync('sh', ['-c', `tar -cf - -T /dev/null | docker import - ${foreign}`], { stdio: 'ignore' });
  t.after(() => e.images.remove(foreign).catch(() => {}));
  const cfgPath = join(ROOT, 'docker/run.cfg');
  const good = readFileSync(cfgPath, 'utf8');
  t.after(() => writeFileSync(cfgPath, good));
  writeFileSync(cfgPath, good.replace('[base]\n', '[base]\ntag = foreign\n'));
  const before = (await e.images.inspect(foreign))!.id;
  const r = await cli(['image', 'build', 'base']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`the image tag ${foreign} exists and was not made by transferctl; nothing was built`));
  assert.equal((await e.images.inspect(foreign))!.id, before, 'the tag did not move');
});

test('publish-image pushes to the registry the environment names', async (t) => {
  await requireEngine(t);
  if (!(await engine.images.inspect(NOTEBOOK))) return t.skip('needs the notebook image');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tc-proj-registry-'));
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const registry: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  t.after(() => {
    registry.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const none = await runCli(['image', 'publish', 'notebook'], { cwd: ROOT, env: { ...ENV, TRANSFERCTL_REGISTRY: '', DOCKER_REGISTRY: '' } });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no registry to publish to/);
  const r = await runCli(['publish-image', 'notebook'], { cwd: ROOT, env: { ...ENV, TRANSFERCTL_REGISTRY: `127.0.0.1:${port}` } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Pushed 127\\.0\\.0\\.1:${port}/${NOTEBOOK} \\(sha256:`));
  const tags = (await (await fetch(`http://127.0.0.1:${port}/v2/${NAME}-notebook/tags/list`)).json()) as { tags: string[] };
  assert.deepEqual(tags.tags, ['tester']);
  await engine.images.remove(`127.0.0.1:${port}/${NOTEBOOK}`).catch(() => {});
});

test('publish-image to a registry that wants a login: a Docker credential helper answers for it', async (t) => {
  await requireEngine(t);
  if (!(await engine.images.inspect(NOTEBOOK))) return t.skip('needs the notebook image');
  const reg = await startRegistry(t, { auth: { user: 'ann', password: 'helper pass' } });
  if (!reg) return;
  t.after(() => engine.images.remove(`${reg.host}/${NOTEBOOK}`).catch(() => {}));
  const env = { ...ENV, TRANSFERCTL_REGISTRY: reg.host };
  const denied = await runCli(['image', 'publish', 'notebook'], { cwd: ROOT, env: { ...env, DOCKER_CONFIG: tempDir(t, 'tc-proj-nocfg-') } });
  assert.notEqual(denied.code, 0, 'no credentials: the registry says no');
  assert.match(denied.stderr, /no basic auth credentials/);
  const r = await runCli(['image', 'publish', 'notebook'], { cwd: ROOT, env: { ...env, ...credentialHelperEnv(t, reg, 'ann', 'helper pass') } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Pushed ${reg.host.replace(/\./g, '\\.')}/${NOTEBOOK} \\(sha256:`));
  const login = `Basic ${Buffer.from('ann:helper pass').toString('base64')}`;
  const tags = (await (await fetch(`http://${reg.host}/v2/${NAME}-notebook/tags/list`, { headers: { authorization: login } })).json()) as { tags: string[] };
  assert.deepEqual(tags.tags, ['tester']);
});
