// After a loaded layer, only what the layer carries must be as scanned: a written file touched
// meanwhile fails the save; a file the save did not write may change (the next save takes it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertWrittenUnchanged, type ArchiveWork } from '../../../../src/workspace/save/archive-layer.js';
import { scanFolder } from '../../../../src/workspace/save/scan.js';

function work(dir: string, written: string[]): ArchiveWork {
  const scan = scanFolder(dir);
  const write = scan.entries.filter((e) => written.includes(e.path));
  return { scan, previous: new Map(), write, kept: scan.entries.filter((e) => !written.includes(e.path)), remove: [], rehashed: 0, changed: true };
}

test('written entries must be as scanned; the others may change meanwhile', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-written-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'new.ipynb'), 'one');
  writeFileSync(join(dir, 'old.csv'), 'two');
  const w = work(dir, ['new.ipynb']);
  assert.doesNotThrow(() => assertWrittenUnchanged(dir, w));

  writeFileSync(join(dir, 'old.csv'), 'changed, but not part of this save');
  writeFileSync(join(dir, 'appeared.txt'), 'x');
  assert.doesNotThrow(() => assertWrittenUnchanged(dir, w));

  utimesSync(join(dir, 'new.ipynb'), new Date(), new Date(Date.now() + 5000));
  assert.throws(() => assertWrittenUnchanged(dir, w), /new\.ipynb changed while it was being saved/);
  unlinkSync(join(dir, 'new.ipynb'));
  assert.throws(() => assertWrittenUnchanged(dir, w), /new\.ipynb changed while it was being saved/);
});
