// A full disk during restore: a clear error, the target folder untouched, nothing left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireEngine, requireImage } from '../helpers/engine.js';
import { runCli } from '../helpers/cli.js';
import { L } from '../../src/labels.js';
import { fillTree, makeWorkspace } from './save-fixtures.js';

test('restore onto a full disk fails clearly and leaves the target as it was', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, 'transferctl/debian:bookworm'))) return;
  if (process.getuid?.() !== 0) return t.skip('mounting a small tmpfs needs root');
  const ws = makeWorkspace(t, engine, { dockerfile: 'FROM transferctl/debian:bookworm\n' });
  fillTree(ws.dir, 4 * 1024 * 1024);
  assert.equal((await runCli(['build'], { cwd: ws.dir })).code, 0);
  const saved = await runCli(['save'], { cwd: ws.dir });
  assert.equal(saved.code, 0, saved.stderr);

  const small = mkdtempSync(join(tmpdir(), 'tc-save-fulldisk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small], { encoding: 'utf8' });
  t.after(() => {
    spawnSync('umount', [small]);
    rmSync(small, { recursive: true, force: true });
  });
  if (mounted.status !== 0) return t.skip(`cannot mount a tmpfs here: ${mounted.stderr.trim()}`);
  const target = join(small, 'work');
  mkdirSync(target);
  writeFileSync(join(target, 'mine.txt'), 'keep');
  const r = await runCli(['restore', `${ws.repo}:latest`, target, '--force'], { cwd: '/' });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /copying the archive out failed .*No space left on device/s);
  assert.match(r.stderr, /nothing was written to the target folder/);
  assert.deepEqual(readdirSync(target), ['mine.txt'], 'the target is as it was');
  assert.deepEqual(readdirSync(small), ['work'], 'no staging folder is left');
  const id = (await engine.images.inspect(`${ws.repo}:latest`))!.id;
  const temps = await engine.containers.list({ labels: [`${L.temporary}=restore`], all: true });
  assert.equal(temps.filter((c) => c.image === id).length, 0, 'the temporary container is gone');
});
