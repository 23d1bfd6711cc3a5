import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { globToRegExp, hashFiles, listContext, normalizeSource, selectSources } from '../../../../src/workspace/environment/context-files.js';
import { tempDir } from '../../../helpers/tmp.js';

const FILES = ['Dockerfile', 'analysis.ipynb', 'conf/a.yml', 'conf/deep/b.yml', 'requirements.txt', 'req-dev.txt', 'src/x.py'];

test('a file names itself, a folder what is under it, "." everything', () => {
  assert.deepEqual(selectSources(FILES, ['requirements.txt']), ['requirements.txt']);
  assert.deepEqual(selectSources(FILES, ['./conf/']), ['conf/a.yml', 'conf/deep/b.yml']);
  assert.deepEqual(selectSources(FILES, ['/src']), ['src/x.py']);
  assert.deepEqual(selectSources(FILES, ['.']), FILES);
  assert.deepEqual(selectSources(FILES, ['missing.txt']), []);
});

test('globs match within one path part, as Go filepath.Match does; a matched folder brings its files', () => {
  assert.deepEqual(selectSources(FILES, ['req*.txt']), ['requirements.txt', 'req-dev.txt']);
  assert.deepEqual(selectSources(FILES, ['*.yml']), []);
  assert.deepEqual(selectSources(FILES, ['conf/*.yml']), ['conf/a.yml']);
  assert.deepEqual(selectSources(FILES, ['c?nf']), ['conf/a.yml', 'conf/deep/b.yml']);
  assert.ok(globToRegExp('[a-c]x').test('bx'));
  assert.ok(!globToRegExp('[!a-c]x').test('bx'));
});

test('normalizeSource: leading ./ and /, trailing / and /. go', () => {
  assert.equal(normalizeSource('./a/b/'), 'a/b');
  assert.equal(normalizeSource('/a/.'), 'a');
  assert.equal(normalizeSource('./'), '');
  assert.equal(normalizeSource('.'), '');
});

test('listContext leaves out what .dockerignore ignores, but never the Dockerfile', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM a\n');
  writeFileSync(join(dir, '.dockerignore'), 'data/\n*.ipynb\nDockerfile\n');
  writeFileSync(join(dir, 'nb.ipynb'), '{}');
  writeFileSync(join(dir, 'requirements.txt'), 'x\n');
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'big.csv'), '1,2');
  assert.deepEqual(listContext(dir, ['Dockerfile']), ['.dockerignore', 'Dockerfile', 'requirements.txt']);
});

test('hashFiles: content and the executable bit count, other mode bits do not', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a'), 'same');
  writeFileSync(join(dir, 'b'), 'same');
  chmodSync(join(dir, 'a'), 0o644);
  chmodSync(join(dir, 'b'), 0o664);
  const [a, b] = hashFiles(dir, ['a', 'b']);
  assert.equal(a.sha256, b.sha256);
  assert.equal(a.executable, false);
  chmodSync(join(dir, 'b'), 0o755);
  assert.equal(hashFiles(dir, ['b'])[0].executable, true);
});
