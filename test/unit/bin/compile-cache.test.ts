// bin/compile-cache.js: the CLI bundle runs the same with no cache, a fresh cache, and a
// damaged cache; one cache file per command appears after the first run. A command with its
// own bundle (dist/bundle/manifest.json) prints what the whole bundle prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  assert.match(files[0], /^[0-9a-f]{16}-transferctl-schema\.bin$/, 'schema runs from the whole bundle');
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

test('compile cache: caches of other bundles are pruned to the two used last within a week', async (t) => {
  const { createRequire } = await import('node:module');
  const { prune } = createRequire(import.meta.url)('../../../bin/compile-cache.js') as {
    prune(dir: string, key: string, keepOthers?: number, maxAgeMs?: number, now?: number): void;
  };
  const { utimesSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'tc-v8prune-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const now = Date.now();
  const day = 24 * 3600 * 1000;
  // key → age in days of its files
  const keys: Record<string, number> = {
    aaaaaaaaaaaaaaaa: 30, // the current bundle: stays however old
    bbbbbbbbbbbbbbbb: 1,
    cccccccccccccccc: 2,
    dddddddddddddddd: 3, // third most recent other: goes
    eeeeeeeeeeeeeeee: 8, // older than a week: goes
  };
  for (const [k, age] of Object.entries(keys)) {
    for (const cmd of ['up', 'status']) {
      const f = join(dir, `${k}-${cmd}.bin`);
      writeFileSync(f, 'x');
      const when = (now - age * day) / 1000;
      utimesSync(f, when, when);
    }
  }
  prune(dir, 'aaaaaaaaaaaaaaaa', 2, 7 * day, now);
  assert.deepEqual(
    [...new Set(readdirSync(dir).map((n) => n.slice(0, 16)))].sort(),
    ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb', 'cccccccccccccccc'],
  );
  assert.equal(readdirSync(dir).length, 6);
});

test('a command with a bundle of its own runs from it and prints what the whole bundle prints', async (t) => {
  const { readFileSync } = await import('node:fs');
  const manifest = JSON.parse(readFileSync(new URL('../../../dist/bundle/manifest.json', import.meta.url), 'utf8')) as { build: string; commands: Record<string, string> };
  assert.equal(manifest.commands.stop, 'stop.cjs');
  assert.equal(manifest.commands.__complete ?? 'transferctl.cjs', 'transferctl.cjs', 'completion reads every command\'s options');
  assert.equal(manifest.commands.ps, manifest.commands.status, 'an alias goes where its command goes');
  assert.equal(manifest.commands['--help'], 'help.cjs');
  for (const file of new Set(Object.values(manifest.commands))) {
    assert.ok(readFileSync(new URL(`../../../dist/bundle/${file}`, import.meta.url)).length > 0, file);
  }
  const cache = mkdtempSync(join(tmpdir(), 'tc-v8cache-'));
  t.after(() => rmSync(cache, { recursive: true, force: true }));
  const own = await runCli(['stop', '--help'], { env: { XDG_CACHE_HOME: cache } });
  assert.equal(own.code, 0, own.stderr);
  assert.match(readdirSync(join(cache, 'transferctl', 'v8')).join(' '), /^[0-9a-f]{16}-stop-stop\.bin$/);
  // --debug loads the whole bundle (with source maps)
  const whole = await runCli(['--debug', 'stop', '--help'], { env: { XDG_CACHE_HOME: cache } });
  assert.equal(whole.code, 0, whole.stderr);
  assert.equal(own.stdout, whole.stdout);
  assert.match(own.stdout, /Usage: transferctl stop/);
});

test('completion candidates come from the commands\' own options, whichever bundle answers', async () => {
  // the shell filters by the word typed; __complete lists what fits the place
  const r = await runCli(['__complete', 'up', '--rec']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.split('\n').includes('--recreate'), r.stdout);
  const s = await runCli(['__complete', 'sta']);
  assert.ok(s.stdout.split('\n').includes('status'), s.stdout);
});

test('compile cache: keys are 16 hex digits, the same for the same text; deferred built-ins load on first use', async () => {
  const { createRequire } = await import('node:module');
  const cc = createRequire(import.meta.url)('../../../bin/compile-cache.js') as {
    cacheKey(text: string): string;
    bundleRequire(file: string): (id: string) => Record<string, unknown>;
  };
  assert.match(cc.cacheKey('a'), /^[0-9a-f]{16}$/);
  assert.equal(cc.cacheKey('/x\0build-1'), cc.cacheKey('/x\0build-1'));
  assert.notEqual(cc.cacheKey('/x\0build-1'), cc.cacheKey('/x\0build-2'));
  const req = cc.bundleRequire(fileURLToPath(import.meta.url));
  const zlib = req('node:zlib');
  assert.equal(req('zlib'), zlib, 'one stand-in per module, with or without node:');
  const real = createRequire(import.meta.url)('node:zlib') as Record<string, unknown>;
  assert.equal(zlib.gzipSync, real.gzipSync);
  assert.ok('createGunzip' in zlib);
  assert.deepEqual(Object.keys(zlib).sort(), Object.keys(real).sort());
  const copy = { ...zlib };
  assert.equal(copy.constants, real.constants);
  // crypto has non-configurable properties (webcrypto): copying them must not throw
  assert.doesNotThrow(() => Object.getOwnPropertyDescriptors(req('node:crypto')));
  assert.equal(req('node:path'), createRequire(import.meta.url)('node:path'), 'others load at once');
});
