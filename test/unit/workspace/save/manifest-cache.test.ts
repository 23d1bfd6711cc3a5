// The manifest cache: a copy is used only when its bytes hash to the sha256 the image's label
// names; anything else (missing, damaged, a name that is not a sha256) reads the image instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedManifest, manifestSha256, rememberManifest } from '../../../../src/workspace/save/manifest-cache.js';
import { encodeManifest, makeManifest } from '../../../../src/workspace/save/manifest.js';

test('manifest cache: remembered by its sha256, refused when damaged or asked for by a bad name', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tc-mcache-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const env = { TRANSFERCTL_CACHE: root };
  const raw = encodeManifest(makeManifest([{ path: 'a.ipynb', type: 'file', size: 3, mode: 0o644, mtimeMs: 1, sha256: 'x' }]));
  const sha = manifestSha256(raw);

  assert.equal(cachedManifest(sha, env), null, 'nothing cached yet');
  rememberManifest(raw, env);
  assert.deepEqual(readdirSync(join(root, 'manifests')), [`${sha}.json.gz`], 'one file, no temporary left');
  assert.deepEqual(cachedManifest(sha, env), raw);

  assert.equal(cachedManifest(undefined, env), null);
  assert.equal(cachedManifest('../../etc/passwd', env), null);
  assert.equal(cachedManifest('0'.repeat(64), env), null);

  writeFileSync(join(root, 'manifests', `${sha}.json.gz`), Buffer.concat([raw, Buffer.from('x')]));
  assert.equal(cachedManifest(sha, env), null, 'a damaged copy is not used');
});

test('manifest cache: a folder that cannot be written is skipped, not an error', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tc-mcache-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const file = join(root, 'not-a-dir');
  writeFileSync(file, '');
  assert.doesNotThrow(() => rememberManifest(Buffer.from('abc'), { TRANSFERCTL_CACHE: file }));
});
