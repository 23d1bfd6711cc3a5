// save → remove container and folder → restore: byte-for-byte and mode-for-mode equal.
// Also: a clean image config (no token), one small layer per later save, up --from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, rmSync, unlinkSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { startRegistry } from '../helpers/registry.js';
import { L } from '../../src/labels.js';
import { S } from '../../src/workspace/save/labels.js';
import type { SnapshotResult } from '../../src/workspace/save/snapshot.js';
import { fileInImage, fillTree, makeWorkspace, modeInImage, parseJson, treeOf } from './save-fixtures.js';

// Every way a save writes the folder's layer: a partial `docker load`; the temporary container
// fed a tar stream (engines that cannot load a partial image); and the temporary container's
// own `cp -a` from the mounted folder (big saves on a local engine).
for (const via of ['load', 'container', 'cp'] as const)
test(`save, save again, restore (${via}): the folder comes back exactly; the image has no token`, async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  fillTree(ws.dir);

  const up = await runCli(['up', '--json'], { cwd: ws.dir });
  assert.equal(up.code, 0, up.stderr);
  const c = await engine.containers.inspect(ws.container);
  assert.ok(c?.env.JUPYTER_TOKEN, 'the workspace container has a token');
  const installed = await engine.containers.exec(c.id, ['sh', '-c', 'echo installed > /opt/venv/tc-save-marker.txt']);
  assert.equal(installed.exitCode, 0);

  // Seed 000's --commit: the container with what was installed becomes an image; Jupyter keeps running.
  const committed = await runCli(['--commit'], { cwd: ws.dir });
  assert.equal(committed.code, 0, committed.stderr);
  assert.match(committed.stdout, new RegExp(`Committed ${ws.repo}:\\d{8}-\\d{6}, ${ws.repo}:latest`));
  const cimg = await engine.images.inspect(`${ws.repo}:latest`);
  assert.ok(cimg && cimg.labels[S.kind] === 'commit');
  assert.doesNotMatch(cimg.env.join('\n'), /JUPYTER_TOKEN/);
  assert.equal(await fileInImage(engine, cimg.id, '/opt/venv/tc-save-marker.txt'), 'installed\n');
  assert.equal((await engine.containers.inspect(ws.container))?.running, true, 'commit does not stop the notebook');

  // First save: environment + folder.
  const first = await runCli(['save', '--json'], { cwd: ws.dir, env: { TRANSFERCTL_SAVE_VIA: via } });
  assert.equal(first.code, 0, first.stderr);
  const r1 = parseJson<SnapshotResult>(first.stdout);
  assert.equal(r1.archive?.method, via === 'container' ? 'tar' : via, `written by ${r1.archive?.method}`);
  assert.equal(r1.created, true);
  assert.equal(r1.base, 'fresh');
  assert.equal(r1.env.changed, true);
  assert.deepEqual(r1.tags.slice(-1), [`${ws.repo}:latest`]);
  const img1 = await engine.images.inspect(`${ws.repo}:latest`);
  assert.ok(img1);
  const env = img1.env.join('\n');
  assert.doesNotMatch(env, /JUPYTER_TOKEN|TRANSFERCTL_UID|TRANSFERCTL_GID/, 'no token or user mapping in the image config');
  assert.doesNotMatch(img1.entrypoint.join(' '), /transferctl/, "transferctl's entrypoint is not baked in");
  const base = await engine.images.inspect(ws.image);
  assert.deepEqual(img1.cmd, base!.cmd);
  assert.equal(img1.labels[L.managed], 'true');
  assert.equal(img1.labels[S.kind], 'save');
  assert.equal(img1.labels[L.temporary], 'false');
  // The temporary container is removed in the background once the image is tagged.
  let temps = -1;
  for (let i = 0; i < 300 && temps !== 0; i++) {
    temps = (await engine.containers.list({ labels: [`${L.temporary}=save`, `${S.sourceContainer}=${ws.container}`], all: true })).length;
    if (temps) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(temps, 0, 'the temporary container of the save is gone');
  assert.equal(await fileInImage(engine, img1.id, '/opt/venv/tc-save-marker.txt'), 'installed\n', 'what was installed in the container is in the image');
  assert.match((await fileInImage(engine, img1.id, '/archive/notebooks/analysis.ipynb')) ?? '', /nbformat/);

  // Second save after small changes: exactly one new, small layer on top of the first.
  writeFileSync(join(ws.dir, 'notebooks/analysis.ipynb'), JSON.stringify({ cells: [{ source: 'print(1)' }], nbformat: 4 }));
  unlinkSync(join(ws.dir, 'data/one-byte'));
  writeFileSync(join(ws.dir, 'notebooks/new.py'), 'print("new")\n');
  chmodSync(join(ws.dir, 'notebooks/deep/deeper/deepest/note.md'), 0o640);
  chmodSync(join(ws.dir, 'notebooks/deep'), 0o750);
  const second = await runCli(['save', '--json'], { cwd: ws.dir, env: { TRANSFERCTL_SAVE_VIA: via } });
  assert.equal(second.code, 0, second.stderr);
  const r2 = parseJson<SnapshotResult>(second.stdout);
  assert.equal(r2.base, 'previous');
  assert.equal(r2.env.changed, false);
  assert.equal(r2.archive?.written, 3);
  assert.equal(r2.archive?.removed, 1);
  assert.equal(r2.archive?.layers, 2);
  const img2 = await engine.images.inspect(`${ws.repo}:latest`);
  assert.deepEqual(img2!.layers.slice(0, -1), img1.layers, 'every layer of the first save is reused');
  assert.equal(img2!.layers.length, img1.layers.length + 1);
  assert.ok(img2!.size - img1.size < 200_000, `the new layer is small (${img2!.size - img1.size} bytes)`);
  assert.equal(await fileInImage(engine, img2!.id, '/archive/data/one-byte'), null, 'a deleted file is gone from the image');
  assert.equal((await modeInImage(engine, img2!.id, '/archive/notebooks/deep')).toString(8), '750', "a folder's new mode is in the image");

  const third = await runCli(['save', '--json'], { cwd: ws.dir, env: { TRANSFERCTL_SAVE_VIA: via } });
  assert.equal(third.code, 0, third.stderr);
  assert.equal(parseJson<SnapshotResult>(third.stdout).created, false, 'nothing changed: no new image');

  // A file of the environment edited again (same path, so `docker diff` looks the same): a change.
  const again = await engine.containers.exec(c.id, ['sh', '-c', 'echo upgraded > /opt/venv/tc-save-marker.txt']);
  assert.equal(again.exitCode, 0, again.stderr);
  const fourth = await runCli(['save', '--json'], { cwd: ws.dir, env: { TRANSFERCTL_SAVE_VIA: via } });
  assert.equal(fourth.code, 0, fourth.stderr);
  const r4 = parseJson<SnapshotResult>(fourth.stdout);
  assert.equal(r4.env.changed, true, 'the edit is seen');
  assert.equal(r4.archive?.written, 0);
  const img4 = await engine.images.inspect(`${ws.repo}:latest`);
  assert.equal(await fileInImage(engine, img4!.id, '/opt/venv/tc-save-marker.txt'), 'upgraded\n');
  assert.deepEqual(img4!.layers.slice(0, img2!.layers.length), img2!.layers, 'the archive layers below are kept');

  // Remove container and folder; restore from the image alone.
  const expected = treeOf(ws.dir);
  const rm = await runCli(['rm'], { cwd: ws.dir });
  assert.equal(rm.code, 0, rm.stderr);
  const target = join(tempDir(t, 'tc-save-restore-'), 'restored');
  const restored = await runCli(['restore', `${ws.repo}:latest`, target, '--json'], { cwd: '/' });
  assert.equal(restored.code, 0, restored.stderr);
  assert.deepEqual(treeOf(target), expected, 'byte-for-byte and mode-for-mode equal');

  // A non-empty target needs --force, and is left alone without it.
  writeFileSync(join(target, 'mine.txt'), 'keep me');
  const refused = await runCli(['restore', `${ws.repo}:latest`, target], { cwd: '/' });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /is not empty/);
  assert.match(refused.stderr, /--force/);
  assert.equal(readFileSync(join(target, 'mine.txt'), 'utf8'), 'keep me');
  const forced = await runCli(['restore', `${ws.repo}:latest`, target, '--force'], { cwd: '/' });
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(readFileSync(join(target, 'mine.txt'), 'utf8'), 'keep me', '--force replaces same-named entries only');
  // Owner: the user running the command (under sudo, the invoking user).
  const owned = join(tempDir(t, 'tc-save-owner-'), 'w');
  const bySudo = await runCli(['restore', `${ws.repo}:latest`, owned], { cwd: '/', env: { SUDO_UID: '1234', SUDO_GID: '2345' } });
  assert.equal(bySudo.code, 0, bySudo.stderr);
  for (const e of treeOf(owned)) {
    const st = lstatSync(join(owned, e.path));
    assert.deepEqual([st.uid, st.gid], [1234, 2345], `${e.path} belongs to the invoking user`);
  }
  assert.deepEqual(treeOf(owned), expected);
  const left = await engine.containers.list({ labels: [`${L.temporary}=restore`] });
  assert.equal(left.filter((x) => x.labels[L.ownerPid]?.endsWith(':' + process.pid)).length, 0);

  // Someone else continues: up --from the saved image into a new folder.
  rmSync(ws.dir, { recursive: true, force: true });
  const other = join(tempDir(t, 'tc-save-from-'), 'continued');
  const from = await runCli(['up', '--from', `${ws.repo}:latest`, other, '--json'], { cwd: '/' });
  assert.equal(from.code, 0, from.stderr);
  const fr = parseJson<{ up: { url: string; containerId: string }; dir: string }>(from.stdout);
  assert.equal(fr.dir, other);
  assert.deepEqual(treeOf(other), expected);
  const cont = await engine.containers.inspect(fr.up.containerId);
  assert.equal(cont?.imageId, img4!.id, 'the workspace runs the saved image (its environment)');
  const status = await fetch(fr.up.url.replace(/\/tree\?/, '/api/status?'));
  assert.equal(status.status, 200);
  assert.ok(existsSync(join(other, 'transfer.json')));
  mkdirSync(join(other, 'later'));
});

test('restore: an image neither here nor in its registry, and an image without an archive, are clear errors', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const reg = await startRegistry(t);
  if (!reg) return;
  const dir = tempDir(t, 'tc-save-err-');
  const missing = await runCli(['restore', `${reg.host}/tc-save-no-such-image:nope`, join(dir, 'x')], { cwd: dir });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /tc-save-no-such-image:nope is not on this engine: pulling it/);
  assert.match(missing.stderr, /tc-save-no-such-image:nope is not in the registry/);
  assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace');
  // The target folder is checked before anything is pulled.
  mkdirSync(join(dir, 'full'));
  writeFileSync(join(dir, 'full/keep.txt'), 'mine\n');
  const occupied = await runCli(['restore', `${reg.host}/tc-save-no-such-image:nope`, join(dir, 'full')], { cwd: dir });
  assert.equal(occupied.code, 1);
  assert.match(occupied.stderr, /full is not empty/);
  assert.doesNotMatch(occupied.stderr, /pulling/);
  assert.equal(readFileSync(join(dir, 'full/keep.txt'), 'utf8'), 'mine\n');
  const plain = await runCli(['restore', NOTEBOOK6_IMAGE, join(dir, 'y')], { cwd: dir });
  assert.equal(plain.code, 1);
  assert.match(plain.stderr, /holds no saved workspace folder/);
  assert.equal(existsSync(join(dir, 'x')) || existsSync(join(dir, 'y')), false, 'no folder was created');
});
