import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planArchiveChanges } from '../../../../src/workspace/save/changes.js';
import { byPath, decodeManifest, encodeManifest, makeManifest, type ManifestEntry } from '../../../../src/workspace/save/manifest.js';
import { scanFolder } from '../../../../src/workspace/save/scan.js';
import { MANIFEST_NAME } from '../../../../src/workspace/save/labels.js';

const f = (path: string, size: number, mtimeMs = 1000, mode = 0o644, sha = 'x'): ManifestEntry => ({ path, type: 'file', size, mode, mtimeMs, sha256: sha });
const d = (path: string, mode = 0o755): ManifestEntry => ({ path, type: 'dir', size: 0, mode, mtimeMs: 1 });

test('first save: everything is written, nothing removed', () => {
  const now = [d('a'), f('a/x', 3), f('b', 0)];
  const c = planArchiveChanges(new Map(), now);
  assert.deepEqual(c.write.map((e) => e.path), ['a', 'a/x', 'b']);
  assert.deepEqual(c.remove, []);
  assert.deepEqual(c.verify, []);
});

test('unchanged size+mtime+mode is not read; mtime-only change is verified; size change is written', () => {
  const prev = byPath(makeManifest([d('a'), f('a/same', 3), f('a/touched', 3), f('a/grown', 3), f('a/chmod', 3)]));
  const now = [d('a'), f('a/same', 3), f('a/touched', 3, 2000), f('a/grown', 4), f('a/chmod', 3, 1000, 0o755)];
  const c = planArchiveChanges(prev, now);
  assert.deepEqual(c.write.map((e) => e.path), ['a/grown', 'a/chmod']);
  assert.deepEqual(c.verify.map((e) => e.path), ['a/touched']);
  assert.deepEqual(c.unchanged.map((e) => e.path).sort(), ['a', 'a/same']);
  assert.equal(c.unchanged.find((e) => e.path === 'a/same')?.sha256, 'x', 'the hash is taken over without reading');
});

test('a deleted folder is removed once; a type change removes then writes', () => {
  const prev = byPath(makeManifest([d('gone'), d('gone/sub'), f('gone/sub/x', 1), f('file-then-dir', 1), f('keep', 1)]));
  const now = [d('file-then-dir'), f('keep', 1)];
  const c = planArchiveChanges(prev, now);
  assert.deepEqual(c.remove, ['file-then-dir', 'gone']);
  assert.deepEqual(c.write.map((e) => e.path), ['file-then-dir']);
});

test('symlink target change is a remove and a write', () => {
  const prev = byPath(makeManifest([{ path: 'l', type: 'symlink', size: 0, mode: 0o777, mtimeMs: 1, target: 'a' }]));
  const c = planArchiveChanges(prev, [{ path: 'l', type: 'symlink', size: 0, mode: 0o777, mtimeMs: 5, target: 'b' }]);
  assert.deepEqual(c.remove, ['l']);
  assert.equal(c.write[0].target, 'b');
});

test('manifest encodes and decodes; totals count files only', () => {
  const m = makeManifest([f('b', 5), d('a'), f('a/x', 7)]);
  assert.equal(m.files, 2);
  assert.equal(m.bytes, 12);
  assert.deepEqual(m.entries.map((e) => e.path), ['a', 'a/x', 'b']);
  assert.deepEqual(decodeManifest(encodeManifest(m)), m);
  assert.throws(() => decodeManifest(encodeManifest({ ...m, version: 2 as 1 })), /version 1/);
});

test('scan: types, modes, symlinks, unicode, the manifest name is skipped', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tc-save-scan-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'dir/empty'), { recursive: true });
  writeFileSync(join(root, 'dir/run.sh'), '#!/bin/sh\n');
  chmodSync(join(root, 'dir/run.sh'), 0o755);
  writeFileSync(join(root, 'données-📓.ipynb'), '{}');
  symlinkSync('dir/run.sh', join(root, 'link'));
  writeFileSync(join(root, MANIFEST_NAME), 'x');
  const s = scanFolder(root);
  assert.deepEqual(s.entries.map((e) => `${e.type} ${e.path}`), ['dir dir', 'dir dir/empty', 'file dir/run.sh', 'file données-📓.ipynb', 'symlink link']);
  assert.equal(s.entries.find((e) => e.path === 'dir/run.sh')?.mode, 0o755);
  assert.equal(s.entries.find((e) => e.path === 'link')?.target, 'dir/run.sh');
  assert.deepEqual(s.skipped, []);
});

import { firstDifference, planCopy } from '../../../../src/workspace/save/copy-plan.js';

test('fast copy: new folders are copied whole, changed files one by one, mode-only folders as headers', () => {
  const prev = byPath(makeManifest([d('old'), f('old/a', 1)]));
  const write = [d('new'), d('new/sub'), f('new/sub/x', 1), d('old', 0o700), f('old/a', 2), f('top', 1)];
  const p = planCopy(write, prev);
  assert.deepEqual(p.copy, ['new', 'old/a', 'top']);
  assert.deepEqual(p.headersOnly.map((e) => e.path), ['old']);
});

test('folder changed during a save: added, removed and modified files are noticed', () => {
  const before = [d('a'), f('a/x', 1)];
  assert.equal(firstDifference(before, [d('a'), f('a/x', 1)]), null);
  assert.equal(firstDifference(before, [d('a'), f('a/x', 1), f('a/y', 1)]), 'a/y');
  assert.equal(firstDifference(before, [d('a')]), 'a/x');
  assert.equal(firstDifference(before, [d('a'), f('a/x', 1, 2000)]), 'a/x');
});
