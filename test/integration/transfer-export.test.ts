// transferctl export / import: a tarball without the base's layers, loaded into a second
// engine that has the base; a clear error (and nothing loaded) where the base is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireEngine, requireImage } from '../helpers/engine.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { seedRemote, startRemote } from '../helpers/remote.js';
import { memoryTar } from '../../src/context-tar.js';
import { hasZstd } from '../../src/transfer/compress.js';
import type { Engine } from '../../src/engine/index.js';

const BOOKWORM = 'transferctl/debian:bookworm';
const TRIXIE = 'transferctl/debian:trixie';
const RUN = randomBytes(3).toString('hex');

async function buildImage(engine: Engine, tag: string, from: string, bytes: number): Promise<string> {
  const dockerfile = `FROM ${from}\nRUN head -c ${bytes} /dev/urandom > /blob-${RUN}\n`;
  return engine.images.build(memoryTar([{ name: 'Dockerfile', content: dockerfile }]), {
    tags: [tag],
    labels: { 'org.transferctl.test': `export-${RUN}`, 'org.transferctl.managed': 'true', 'org.transferctl.role': 'temporary' },
  });
}

test('export without the base, import into an engine that has it; a clear error where it has not', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, BOOKWORM)) || !(await requireImage(t, engine, TRIXIE))) return;
  const dir = tempDir(t, 'tc-export-');
  const x = `tcexport-${RUN}:x`;
  const y = `tcexport-${RUN}:y`;
  t.after(async () => {
    for (const tag of [x, y]) await engine.images.remove(tag, { force: true }).catch(() => {});
  });
  const idX = await buildImage(engine, x, BOOKWORM, 100_000);
  const idY = await buildImage(engine, y, TRIXIE, 10_000);
  const rig = await startRemote(t, 'te');
  if (!rig) return;
  await seedRemote(rig, BOOKWORM); // the air-gapped host has the base, not the trixie one
  const remote = ['--engine', `unix://${rig.sock}`];

  await t.test('export leaves the base out; import loads it with the same ID', async () => {
    const file = join(dir, 'x.tar.gz');
    const r = await runCli(['export', x, '-o', file, '--without', BOOKWORM, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.layers, { total: 2, included: 1, leftOut: 1 });
    assert.equal(out.compression, 'gzip');
    assert.ok(statSync(file).size < 200_000, `${statSync(file).size} B for a 100 kB change`);
    assert.deepEqual(readdirSync(dir), ['x.tar.gz'], 'no partial file left');
    const i = await runCli(['import', file, ...remote, '--json']);
    assert.equal(i.code, 0, i.stderr);
    assert.equal((await rig.engine.images.inspect(x))?.id, idX);
    assert.equal(JSON.parse(i.stdout).images[0].layersInFile, 1);
  });

  await t.test('several images in one file: the layers they share written once; import loads them all', async () => {
    const z = `tcexport-${RUN}:z`;
    t.after(() => engine.images.remove(z, { force: true }).catch(() => {}));
    const idZ = await buildImage(engine, z, BOOKWORM, 50_000);
    const both = join(dir, 'xz.tar');
    const whole = await runCli(['export', x, z, '-o', both, '--json']);
    assert.equal(whole.code, 0, whole.stderr);
    const base = (await engine.images.inspect(BOOKWORM))!;
    assert.deepEqual(JSON.parse(whole.stdout).layers, { total: base.layers.length + 2, included: base.layers.length + 2, leftOut: 0 });
    assert.ok(statSync(both).size < base.size * 1.5, `${statSync(both).size} B: the shared base was written once (base ${base.size} B)`);
    const thin = join(dir, 'xz-thin.tar');
    const r = await runCli(['export', x, z, '-o', thin, '--without', BOOKWORM, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).images.map((i: { imageId: string }) => i.imageId), [idX, idZ]);
    assert.ok(statSync(thin).size < 400_000, `${statSync(thin).size} B for two small changes`);
    const i = await runCli(['import', thin, ...remote, '--json']);
    assert.equal(i.code, 0, i.stderr);
    assert.deepEqual(JSON.parse(i.stdout).images.map((m: { layersInFile: number }) => m.layersInFile), [1, 1]);
    assert.equal((await rig.engine.images.inspect(z))?.id, idZ);
    assert.equal((await rig.engine.images.inspect(x))?.id, idX);
    await rig.engine.images.remove(z, { force: true });
  });

  await t.test('import where the base is missing names the base and loads nothing', async () => {
    const file = join(dir, 'y.tar');
    const r = await runCli(['export', y, '-o', file, '--without', TRIXIE]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 of 2 layers/);
    const i = await runCli(['import', file, ...remote]);
    assert.equal(i.code, 1);
    assert.match(i.stderr, /y\.tar leaves out 1 layer that this engine \(unix:\/\/\S+\) does not have: it needs the base image transferctl\/debian:trixie \([0-9a-f]{12}\)/);
    assert.match(i.stderr, /→ load transferctl\/debian:trixie here first/);
    assert.equal(await rig.engine.images.inspect(idY), null, 'nothing was loaded');
  });

  await t.test('export does not overwrite a file without --force, and leaves nothing on failure', async () => {
    const file = join(dir, 'mine.tar');
    writeFileSync(file, 'my own file');
    const r = await runCli(['export', x, '-o', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /mine\.tar already exists/);
    assert.match(r.stderr, /--force/);
    assert.equal(statSync(file).size, 'my own file'.length);
    if (!hasZstd()) {
      const z = await runCli(['export', x, '-o', join(dir, 'x.tar.zst')]);
      assert.equal(z.code, 1);
      assert.match(z.stderr, /zstd needs a Node\.js runtime with zlib zstd support/);
      assert.ok(!existsSync(join(dir, 'x.tar.zst')));
    }
    const n = await runCli(['export', `tc-no-such-${RUN}`, '-o', join(dir, 'n.tar')]);
    assert.equal(n.code, 1);
    assert.match(n.stderr, /no image "tc-no-such-\w+" on the local engine/);
    assert.ok(readdirSync(dir).every((f) => !f.includes('.partial-')), 'no partial files');
  });

  await t.test('import of something that is not an image tarball says so', async () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'just some notes\n'.repeat(100));
    const i = await runCli(['import', file, ...remote]);
    assert.equal(i.code, 1);
    assert.match(i.stderr, /notes\.txt (is not a readable image tarball|has no manifest\.json)/);
    const m = await runCli(['import', join(dir, 'missing.tar'), ...remote]);
    assert.equal(m.code, 1);
    assert.match(m.stderr, /no such file: .*missing\.tar/);
  });
});
