// Config texts a build has validated are not validated again by that build (valid-cache.ts).
// Safe only because a valid document parses to itself: checked here on every config the
// project ships, and by the built CLI on a valid, then an invalid, then a fixed config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { knownValid, rememberValid } from '../../../src/config/valid-cache.js';
import { parseJsonc } from '../../../src/config/jsonc.js';
import { validate } from '../../../src/config/validate.js';
import { schemas } from '../../../src/config/schema.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('remembered per build; nothing without a build stamp; the newest texts kept', (t) => {
  const file = join(tempDir(t, 'tc-valid-'), 'sub', 'valid-configs.json');
  assert.equal(knownValid('{}', 'b1', file), false);
  rememberValid('{}', 'b1', file);
  assert.equal(knownValid('{}', 'b1', file), true);
  assert.equal(knownValid('{ }', 'b1', file), false, 'another text');
  assert.equal(knownValid('{}', 'b2', file), false, 'another build may have another schema');
  rememberValid('{}', undefined, file);
  assert.equal(knownValid('{}', undefined, file), false, 'running from the sources: always validate');
  for (let i = 0; i < 70; i++) rememberValid(`{"n":${i}}`, 'b1', file);
  assert.equal(knownValid('{"n":69}', 'b1', file), true);
  assert.equal(knownValid('{}', 'b1', file), false, 'the oldest fell out');
  assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { texts: string[] }).texts.length, 64);
});

test('a cache that cannot be written or read is skipped, not an error', (t) => {
  const dir = tempDir(t, 'tc-valid-ro-');
  writeFileSync(join(dir, 'a-file'), '');
  const unwritable = join(dir, 'a-file', 'x', 'valid-configs.json'); // a file where a folder must be
  assert.doesNotThrow(() => rememberValid('{}', 'b1', unwritable));
  assert.equal(knownValid('{}', 'b1', unwritable), false);
  const bad = join(dir, 'valid-configs.json');
  writeFileSync(bad, 'not json');
  assert.equal(knownValid('{}', 'b1', bad), false);
  rememberValid('{}', 'b1', bad);
  assert.equal(knownValid('{}', 'b1', bad), true, 'a damaged file is replaced');
});

function shippedConfigs(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.') || e.name === 'dist') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'transfer.json' || e.name === 'transfer-control.json') out.push(p);
    }
  };
  walk(root);
  return out;
}

test('a valid config parses to itself (what lets a remembered text skip validation)', () => {
  const files = shippedConfigs();
  assert.ok(files.length > 0);
  const samples = [
    ...files.map((f) => readFileSync(f, 'utf8')),
    JSON.stringify({
      container: { name: 'c' },
      image: { name: 'i:v2', base: 'b', 'build-args': { A: '1' }, pull: true },
      volume: { 'mount-point': '/w', 'host-directory': '.', 'read-only': true },
      commit: { name: 'n', repo: 'r', tag: 't' },
      save: { 'archive-path': '/archive', 'squash-after': 3 },
      jupyter: { mode: 'notebook', port: 9000, args: ['--x'] },
      publish: { port: 8899, address: '0.0.0.0' },
      environment: { A_B: 'c' },
      'ssh-agent': true,
      gpu: ['0', '1'],
      resources: { memory: '4g', cpus: 1.5, 'shm-size': '1g' },
      'user-mapping': false,
      profiles: { train: { environment: '-e A=1', volumes: ['a:b', { type: 'tmpfs', target: '/t' }], ports: [8888], cmd: 'python x.py' } },
    }),
  ];
  for (const text of samples) {
    const doc = parseJsonc('transfer.json', text);
    assert.deepStrictEqual(validate(schemas().transferConfigSchema, doc), doc.value);
  }
});

test('the built CLI: a valid config is remembered, an invalid one is reported every time and never remembered', async (t) => {
  if (!existsSync(join(root, 'dist', 'bundle', 'manifest.json'))) return t.skip('not built (npm run build)');
  const dir = tempDir(t, 'tc-valid-cli-');
  const cache = tempDir(t, 'tc-valid-cli-cache-');
  mkdirSync(join(dir, 'work'));
  // No engine: the config is read first, then the engine is not there.
  const env = { XDG_CACHE_HOME: cache, DOCKER_HOST: `unix://${join(dir, 'no-engine.sock')}` };
  const store = join(cache, 'transferctl', 'valid-configs.json');
  writeFileSync(join(dir, 'transfer.json'), JSON.stringify({ container: { name: 'tc-valid-cli' }, volume: { 'host-directory': 'work' } }));
  const first = await runCli(['stop'], { cwd: dir, env });
  assert.doesNotMatch(first.stderr, /transfer\.json:\d+/, first.stderr);
  const texts = () => (JSON.parse(readFileSync(store, 'utf8')) as { texts: string[] }).texts;
  assert.equal(texts().length, 1);

  writeFileSync(join(dir, 'transfer.json'), '{ "container": { "name": 7 } }');
  for (let i = 0; i < 2; i++) {
    const bad = await runCli(['stop'], { cwd: dir, env });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /transfer\.json:1:\d+.*container\.name/, bad.stderr);
  }
  assert.equal(texts().length, 1, 'an invalid text is not remembered');
});
