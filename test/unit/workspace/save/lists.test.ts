import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFiles, makeListsDir, sweepListsDirs, writeLists } from '../../../../src/workspace/save/lists.js';

test('lists are NUL-separated files; any file name passes unchanged', () => {
  const files = listFiles({ remove: ['/archive/old'], copy: ['a b', 'c\nd', "e'f"], attrs: [{ path: 'x', mode: 0o2750, uid: 1000, gid: 100 }], agent: true });
  assert.deepEqual(files.map((f) => f.name), ['delete.list', 'copy.list', 'attrs.list', 'agent']);
  assert.equal(files[1].content.toString('utf8'), "a b\0c\nd\0e'f\0");
  assert.equal(files[2].content.toString('utf8'), '2750\x001000\x00100\x00x\0', 'mode in octal, then owner, then the path');
  assert.deepEqual(listFiles({ remove: [], copy: [] }), [], 'empty lists are left out');
});

test('a new set of lists replaces the one of an earlier start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-lists-'));
  try {
    writeLists(dir, { remove: ['/archive/old'], copy: ['a'], agent: true });
    writeFileSync(join(dir, 'manifest'), 'stale');
    assert.deepEqual(readdirSync(dir).sort(), ['agent', 'copy.list', 'delete.list', 'manifest']);
    writeLists(dir, { remove: ['/etc/x'] });
    assert.deepEqual(readdirSync(dir), ['delete.list']);
    assert.equal(readFileSync(join(dir, 'delete.list'), 'utf8'), '/etc/x\0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a lists folder carries its owner's pid; the sweep removes those whose owner is gone, and nothing else", () => {
  const own = makeListsDir();
  try {
    assert.match(own, new RegExp(`transferctl-lists-${process.pid}-[^/]+$`));
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
  const root = mkdtempSync(join(tmpdir(), 'tc-lists-root-'));
  try {
    for (const name of ['transferctl-lists-111-aaaaaa', 'transferctl-lists-222-bbbbbb', 'transferctl-lists-cccccc', 'other-111-dddddd']) mkdirSync(join(root, name));
    writeFileSync(join(root, 'transferctl-lists-111-aaaaaa', 'copy.list'), 'x\0');
    const asked: string[] = [];
    const removed = sweepListsDirs((pid) => (asked.push(pid), pid === '111'), root);
    assert.deepEqual(removed, ['transferctl-lists-111-aaaaaa']);
    assert.deepEqual(asked.sort(), ['111', '222'], 'a folder without a pid (an older name) is never asked about');
    assert.deepEqual(readdirSync(root).sort(), ['other-111-dddddd', 'transferctl-lists-222-bbbbbb', 'transferctl-lists-cccccc']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
