// SIGKILL at any moment of `save`: the previous image, its tag and the folder are as they
// were; what the killed run left is labelled temporary and the next command removes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readdirSync, writeFileSync, unlinkSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { BIN, runCli } from '../helpers/cli.js';
import type { Engine } from '../../src/engine/index.js';
import { L } from '../../src/labels.js';
import { S } from '../../src/workspace/save/labels.js';
import { tempDir } from '../helpers/tmp.js';
import { fillTree, makeWorkspace, treeOf, type TestWorkspace } from './save-fixtures.js';

/** The test-only entry that runs `save` and stops at a stage (the core's onStage callback). */
const STOPPING_SAVE = fileURLToPath(new URL('../helpers/save-stopping-at.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Start `save`, SIGKILL it when it reaches `stage` (or after `afterMs`); resolves when it is dead. */
function killedSave(ws: TestWorkspace, how: { stage?: string; afterMs?: number }): Promise<{ pid: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NO_COLOR: '1' };
    const args = how.stage ? ['--import', TSX, STOPPING_SAVE, how.stage] : [BIN, 'save'];
    const child = spawn(process.execPath, args, { cwd: ws.dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const kill = () => child.kill('SIGKILL');
    child.stderr.on('data', (d) => {
      stderr += d;
      if (how.stage && stderr.includes(`stopped at ${how.stage}`)) kill();
    });
    const timer = how.afterMs !== undefined ? setTimeout(kill, how.afterMs) : setTimeout(kill, 120_000);
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      if (how.stage && signal !== 'SIGKILL') reject(new Error(`save ended before stage ${how.stage}: ${stderr}`));
      else resolve({ pid: child.pid!, stderr });
    });
  });
}

/** The host folders with the temporary container's lists that the run with this pid made. */
const listsFoldersOf = (pid: number) => readdirSync(tmpdir()).filter((n) => n.startsWith(`transferctl-lists-${pid}-`));

/** What the run with this pid left: temporary containers, and untagged images it made except
 *  `finished` (a save it completed: the tag pointed at it when it died; a later save may leave it
 *  untagged like any earlier save, and that is not a leftover). */
async function leftovers(engine: Engine, pid: number, finished?: string): Promise<{ containers: number; images: number }> {
  const owner = (labels: Record<string, string>) => labels[L.ownerPid]?.endsWith(`:${pid}`);
  const containers = (await engine.containers.list({ labels: [L.temporary], all: true })).filter((c) => owner(c.labels)).length;
  const images = (await engine.images.list({ labels: [S.kind], danglingOnly: true })).filter((i) => owner(i.labels) && i.id !== finished).length;
  return { containers, images };
}

test('SIGKILL during save leaves the previous image, tag and folder intact; the next run sweeps up', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  fillTree(ws.dir, 24 * 1024 * 1024);
  const built = await runCli(['build'], { cwd: ws.dir });
  assert.equal(built.code, 0, built.stderr);
  const first = await runCli(['save'], { cwd: ws.dir });
  assert.equal(first.code, 0, first.stderr);
  const ref = `${ws.repo}:latest`;
  const saved = (await engine.images.inspect(ref))!.id;

  // Changes for the next save: a changed large file, a deleted one, a new one.
  writeFileSync(join(ws.dir, 'data/large.bin'), Buffer.alloc(24 * 1024 * 1024, 7));
  unlinkSync(join(ws.dir, 'data/one-byte'));
  writeFileSync(join(ws.dir, 'new.txt'), 'new\n');
  let folder = treeOf(ws.dir);
  const probes = tempDir(t, 'tc-save-probes-');

  for (const stage of ['created', 'copied', 'committed']) {
    const { pid } = await killedSave(ws, { stage });
    assert.equal((await engine.images.inspect(ref))?.id, saved, `killed at ${stage}: the tag did not move`);
    assert.deepEqual(treeOf(ws.dir), folder, `killed at ${stage}: the folder is as it was`);
    const left = await leftovers(engine, pid);
    assert.equal(left.containers, 1, `killed at ${stage}: its temporary container is labelled`);
    assert.equal(listsFoldersOf(pid).length, 1, `killed at ${stage}: its lists folder is named with its pid`);
    if (stage === 'committed') assert.equal(left.images, 1, 'the untagged image is labelled with its dead owner');
    // The next transferctl command sweeps up: `status`, or a restore of the untouched previous save.
    const next = await runCli(stage === 'created' ? ['status'] : ['restore', ref, join(probes, stage)], { cwd: ws.dir });
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(await leftovers(engine, pid), { containers: 0, images: 0 }, `killed at ${stage}: the next command removed the leftovers`);
    assert.deepEqual(listsFoldersOf(pid), [], `killed at ${stage}: the next command removed its lists folder`);
  }

  // At random moments, too.
  for (const afterMs of [300, 900]) {
    writeFileSync(join(ws.dir, 'data/large.bin'), Buffer.alloc(24 * 1024 * 1024, afterMs % 251));
    writeFileSync(join(ws.dir, `new-${afterMs}.txt`), `${afterMs}\n`);
    folder = treeOf(ws.dir);
    const before = (await engine.images.inspect(ref))?.id;
    const { pid } = await killedSave(ws, { afterMs });
    const now = (await engine.images.inspect(ref))?.id;
    assert.deepEqual(treeOf(ws.dir), folder, `killed after ${afterMs} ms: the folder is as it was`);
    if (now !== before) {
      // The run got as far as moving the tag: then the new image is complete.
      const img = await engine.images.inspect(ref);
      assert.equal(img?.labels[S.kind], 'save');
    }
    const up = await runCli(['save', '--json'], { cwd: ws.dir });
    assert.equal(up.code, 0, up.stderr);
    const finished = now !== before ? now : undefined;
    assert.deepEqual(await leftovers(engine, pid, finished), { containers: 0, images: 0 }, `killed after ${afterMs} ms (${finished ? 'after' : 'before'} its tag moved): the next save removed the leftovers`);
  }
  const final = await runCli(['restore', ref, join(probes, 'final')], { cwd: ws.dir });
  assert.equal(final.code, 0, final.stderr);
  assert.deepEqual(treeOf(join(probes, 'final')), folder);
});

test('an image a killed run gets from the engine after the next save looked is gone when that save ends', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  fillTree(ws.dir, 1024 * 1024);
  const built = await runCli(['build'], { cwd: ws.dir });
  assert.equal(built.code, 0, built.stderr);
  writeFileSync(join(ws.dir, 'changed.txt'), 'changed\n');

  // A save that holds right after its first sweep (its temporary is made only after that sweep).
  const child = spawn(process.execPath, ['--import', TSX, STOPPING_SAVE, 'hold:created'], { cwd: ws.dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  const holding = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('holding at created')) resolve();
    });
    child.on('close', () => reject(new Error(`the save ended before it held: ${stderr}`)));
  });
  const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  t.after(() => child.kill('SIGKILL'));
  await holding;

  // Now the engine "finishes" a killed run's last request: an untagged save image of a dead owner.
  const dead = spawnSync('true').pid;
  const temp = `${ws.name}-late`;
  execFileSync('docker', ['create', '--name', temp, NOTEBOOK6_IMAGE, 'true'], { stdio: 'pipe' });
  const late = execFileSync('docker', ['commit', '--change', `LABEL ${S.kind}=save ${L.managed}=true ${L.ownerPid}=${hostname()}:${dead}`, temp], { encoding: 'utf8' }).trim();
  execFileSync('docker', ['rm', '-f', temp], { stdio: 'pipe' });
  t.after(() => engine.images.remove(late).catch(() => {}));
  assert.ok(await engine.images.inspect(late), 'the late image exists while the save holds');

  child.stdin!.write('go\n');
  assert.equal(await ended, 0, stderr);
  assert.equal(await engine.images.inspect(late), null, 'the save swept again when it ended');
});
