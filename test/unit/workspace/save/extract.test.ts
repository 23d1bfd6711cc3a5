import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { extractChecked } from '../../../../src/workspace/save/extract.js';
import { makeManifest, type ManifestEntry } from '../../../../src/workspace/save/manifest.js';
import { UserError } from '../../../../src/errors.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function archive(entries: { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; content?: string; linkname?: string }[]): Readable {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: 0o644 }, e.type && e.type !== 'file' ? undefined : (e.content ?? ''));
  pack.finalize();
  return pack as unknown as Readable;
}

const entries: ManifestEntry[] = [
  { path: 'd', type: 'dir', size: 0, mode: 0o750, mtimeMs: 1_600_000_000_000 },
  { path: 'd/run.sh', type: 'file', size: 3, mode: 0o755, mtimeMs: 1_600_000_000_123, sha256: sha('abc') },
  { path: 'd/copy.sh', type: 'file', size: 3, mode: 0o755, mtimeMs: 1_600_000_000_123, sha256: sha('abc') },
  { path: 'l', type: 'symlink', size: 0, mode: 0o777, mtimeMs: 1_600_000_000_000, target: 'd/run.sh' },
];

function staging(t: import('node:test').TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'tc-save-extract-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('extract: files, folders, symlinks and hard links come out with the manifest modes and mtimes', async (t) => {
  const dir = staging(t);
  const r = await extractChecked(
    archive([{ name: 'archive/', type: 'directory' }, { name: 'archive/d/', type: 'directory' }, { name: 'archive/d/run.sh', content: 'abc' }, { name: 'archive/d/copy.sh', type: 'link', linkname: 'archive/d/run.sh' }, { name: 'archive/l', type: 'symlink', linkname: 'd/run.sh' }, { name: 'archive/.transferctl-manifest.json.gz', content: 'zz' }]),
    { staging: dir, archiveName: 'archive', manifest: makeManifest(entries), image: 'img' },
  );
  assert.deepEqual(r, { files: 2, bytes: 6, dirs: 1, symlinks: 1 });
  assert.equal(statSync(join(dir, 'd')).mode & 0o777, 0o750);
  assert.equal(statSync(join(dir, 'd/run.sh')).mode & 0o777, 0o755);
  assert.equal(Math.round(statSync(join(dir, 'd/run.sh')).mtimeMs), 1_600_000_000_123);
  assert.equal(readFileSync(join(dir, 'd/copy.sh'), 'utf8'), 'abc');
  assert.equal(readlinkSync(join(dir, 'l')), 'd/run.sh');
});

test('extract: changed content, a missing entry, an extra entry and a path escape are refused', async (t) => {
  const manifest = makeManifest(entries.slice(0, 2));
  const cases: [Parameters<typeof archive>[0], RegExp][] = [
    [[{ name: 'archive/d/', type: 'directory' }, { name: 'archive/d/run.sh', content: 'abd' }], /d\/run\.sh: 3 bytes, sha256 .* \(expected 3 bytes/],
    [[{ name: 'archive/d/', type: 'directory' }], /1 entry is missing \(d\/run\.sh\)/],
    [[{ name: 'archive/d/', type: 'directory' }, { name: 'archive/d/run.sh', content: 'abc' }, { name: 'archive/x', content: '' }], /x is not in the manifest/],
    [[{ name: 'archive/../etc/passwd', content: '' }], /unexpected entry/],
  ];
  for (const [tarEntries, message] of cases) {
    await assert.rejects(extractChecked(archive(tarEntries), { staging: staging(t), archiveName: 'archive', manifest, image: 'img' }), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /the archive in img does not match its manifest/);
      assert.match(e.message, message);
      assert.match(e.hint ?? '', /nothing was written to the target folder/);
      return true;
    });
  }
});
