// bin/compile-cache.js: the CLI bundle runs the same with no cache, a fresh cache, and a
// damaged cache; one cache file per command appears after the first run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';

test('compile cache: written after the first run, used or rebuilt after, never changes the output', async (t) => {
  const cache = mkdtempSync(join(tmpdir(), 'tc-v8cache-'));
  t.after(() => rmSync(cache, { recursive: true, force: true }));
  const env = { XDG_CACHE_HOME: cache };
  const plain = await runCli(['schema'], { env: { TRANSFERCTL_NO_COMPILE_CACHE: '1', XDG_CACHE_HOME: cache } });
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(readdirSync(cache), [], 'TRANSFERCTL_NO_COMPILE_CACHE=1 writes nothing');

  const first = await runCli(['schema'], { env });
  const files = readdirSync(join(cache, 'transferctl', 'v8'));
  assert.equal(files.length, 1, files.join(', '));
  assert.match(files[0], /^[0-9a-f]{16}-schema\.bin$/);
  const second = await runCli(['schema'], { env });

  writeFileSync(join(cache, 'transferctl', 'v8', files[0]), 'not V8 code cache data');
  const damaged = await runCli(['schema'], { env });
  for (const r of [first, second, damaged]) {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, plain.stdout);
  }
  const bad = await runCli(['no-such-command'], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command "no-such-command"/);
});
