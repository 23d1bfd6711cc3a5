// containerd's image store (Docker 29's default, where a partial `docker load` fails and image
// IDs are manifest digests): a real Docker 26 with "containerd-snapshotter" on, chrooted in its
// own namespaces (scripts/containerd-engine.sh). save twice, restore, transfer to it, export
// from it and import here, import a partial file there: each works or says why not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { requireEngine, requireImage } from '../helpers/engine.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { engineAt } from '../../src/engine/index.js';
import { memoryTar } from '../../src/context-tar.js';
import { treeOf } from './save-fixtures.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/containerd-engine.sh', import.meta.url));
const BASE = 'transferctl/debian:bookworm';

test("containerd's image store: save, save again, restore, transfer to it, export from it, import", async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, BASE))) return;
  if (process.getuid?.() !== 0) {
    if (process.env.CI === 'true') throw new Error('CI=true but the containerd engine needs root');
    return void t.skip('needs root');
  }
  const name = `c${randomBytes(3).toString('hex')}`;
  t.after(() => run('bash', [SCRIPT, 'down', name]).catch(() => {}));
  let sock: string;
  try {
    const { stdout } = await run('bash', [SCRIPT, 'up', name], { timeout: 600_000 });
    sock = /^ENGINE_SOCK=(.*)$/m.exec(stdout)![1];
    assert.match(stdout, /io\.containerd\.snapshotter/, 'the engine keeps images in containerd');
  } catch (err) {
    const msg = `containerd engine failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`;
    if (process.env.CI === 'true') throw new Error(msg);
    return void t.skip(msg);
  }
  const C = engineAt(`unix://${sock}`, 'containerd engine');
  const onC = { DOCKER_HOST: `unix://${sock}` };
  const tag = (n: string) => `tcctrd-${name}:${n}`;
  t.after(async () => {
    for (const i of await engine.images.list()) if (i.repoTags.some((r) => r.startsWith(`tcctrd-${name}`))) await engine.images.remove(i.id, { force: true }).catch(() => {});
  });
  await run('sh', ['-c', `docker save ${BASE} | DOCKER_HOST=unix://${sock} docker load -q`]);

  // A workspace whose image is small and never runs Jupyter.
  const dir = tempDir(t, 'tc-ctrd-ws-');
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data/a.bin'), randomBytes(1_000_000));
  writeFileSync(join(dir, 'notes.md'), '# notes\n');
  writeFileSync(join(dir, 'Dockerfile'), `FROM ${BASE}\n`);
  const saved = `tcctrd-${name}-saved`;
  writeFileSync(
    join(dir, 'transfer.json'),
    JSON.stringify({ image: { name: tag('ws'), dockerfile: 'Dockerfile' }, jupyter: { mode: 'none', command: ['sleep', 'infinity'] }, container: { name: `tcctrd-${name}` }, commit: { name: saved } }),
  );

  await t.test('save falls back from a partial load; the second save adds one layer; restore is exact', async () => {
    const build = await runCli(['build'], { cwd: dir, env: onC });
    assert.equal(build.code, 0, build.stderr);
    const first = await runCli(['save', '--json'], { cwd: dir, env: onC });
    assert.equal(first.code, 0, first.stderr);
    assert.notEqual(JSON.parse(first.stdout).archive.method, 'load', 'no partial docker load on this store');
    writeFileSync(join(dir, 'notes.md'), '# notes\nmore\n');
    const second = await runCli(['save', '--json'], { cwd: dir, env: onC });
    assert.equal(second.code, 0, second.stderr);
    const r2 = JSON.parse(second.stdout);
    assert.equal(r2.base, 'previous');
    assert.equal(r2.archive.written, 1);
    assert.equal(r2.archive.layers, 2);
    const target = join(tempDir(t, 'tc-ctrd-rs-'), 'restored');
    const rs = await runCli(['restore', `${saved}:latest`, target], { env: onC, cwd: '/' });
    assert.equal(rs.code, 0, rs.stderr);
    assert.deepEqual(treeOf(target), treeOf(dir));
  });

  await t.test('transfer to it sends the whole image and checks its layers (the ID there is a manifest digest)', async () => {
    const dockerfile = `FROM ${BASE}\nRUN head -c 200000 /dev/urandom > /blob\n`;
    const id = await engine.images.build(memoryTar([{ name: 'Dockerfile', content: dockerfile }]), { tags: [tag('app')], labels: { 'org.transferctl.managed': 'true' } });
    const r = await runCli(['transfer', tag('app'), '--engine', `unix://${sock}`, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.mode, 'whole');
    assert.match(out.notes.join('\n'), /layers were checked/);
    const there = await C.images.inspect(tag('app'));
    assert.deepEqual(there?.layers, (await engine.images.inspect(id))!.layers);
  });

  await t.test('export from it without the base, import here, restore here; a partial file there is refused', async () => {
    const file = join(tempDir(t, 'tc-ctrd-ex-'), 'ws.tar');
    const ex = await runCli(['export', `${saved}:latest`, '--engine', `unix://${sock}`, '--without', BASE, '-o', file]);
    assert.equal(ex.code, 0, ex.stderr);
    const im = await runCli(['import', file]);
    assert.equal(im.code, 0, im.stderr);
    const target = join(tempDir(t, 'tc-ctrd-rh-'), 'restored');
    const rs = await runCli(['restore', `${saved}:latest`, target], { cwd: '/' });
    assert.equal(rs.code, 0, rs.stderr);
    assert.deepEqual(treeOf(target), treeOf(dir));
    const partial = join(tempDir(t, 'tc-ctrd-ex2-'), 'app.tar');
    assert.equal((await runCli(['export', tag('app'), '--without', BASE, '-o', partial])).code, 0);
    const refused = await runCli(['import', partial, '--engine', `unix://${sock}`]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /containerd's store, which cannot load such a tarball/);
    for (const i of await engine.images.list()) if (i.repoTags.includes(`${saved}:latest`)) await engine.images.remove(i.id, { force: true });
  });
});
