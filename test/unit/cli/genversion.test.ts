// genversion in real temporary git repositories: the files versioneer's get_versions() reads,
// dirty when the checkout is, and never over a file transferctl did not write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/cli/commands/genversion.js';

function repo(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tc-genversion-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: dir });
  git('init', '-q');
  writeFileSync(join(dir, 'setup.py'), 'print(1)\n');
  git('add', '.');
  git('commit', '-qm', 'one');
  git('tag', 'v0.3.1');
  return dir;
}

/** get_versions() as Python sees it (where python3 is installed), else the file's JSON block. */
function pythonVersions(file: string): Record<string, unknown> {
  try {
    return JSON.parse(execFileSync('python3', ['-c', `exec(open(${JSON.stringify(file)}).read()); import json; print(json.dumps(get_versions()))`]).toString());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const block = /version_json = '''\n([\s\S]*?)\n'''  # END VERSION_JSON/.exec(readFileSync(file, 'utf8'));
    assert.ok(block, 'the versioneer block is there');
    return JSON.parse(block[1]);
  }
}

test('writes _version.py.bld in the project root; get_versions() gives the tag and commit', async (t) => {
  const dir = repo(t);
  mkdirSync(join(dir, 'docker/dev'), { recursive: true });
  writeFileSync(join(dir, 'docker/dev/Dockerfile'), 'FROM scratch\n');
  const r = await run({ cwd: join(dir, 'docker/dev') });
  assert.equal(r.root, dir, 'the project root, found from below');
  assert.deepEqual(r.written.sort(), [join(dir, '_version.json.bld'), join(dir, '_version.py.bld')]);
  const v = pythonVersions(join(dir, '_version.py.bld'));
  assert.equal(v.version, '0.3.1');
  assert.equal(v['full-revisionid'], r.commit);
  assert.equal(v.dirty, false);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, '_version.json.bld'), 'utf8')), v);
});

test('a modified checkout is dirty; a second run overwrites its own files', async (t) => {
  const dir = repo(t);
  writeFileSync(join(dir, 'setup.py'), 'print(2)\n');
  await run({ cwd: dir });
  const r = await run({ cwd: dir });
  assert.equal(r.version, '0.3.1+dirty');
  assert.equal(pythonVersions(join(dir, '_version.py.bld')).dirty, true);
});

test("a _version.py.bld transferctl did not write is kept unless --force", async (t) => {
  const dir = repo(t);
  writeFileSync(join(dir, '_version.py.bld'), '# mine\n');
  await assert.rejects(run({ cwd: dir }), /_version\.py\.bld exist in .* and were not written by transferctl; nothing was written/);
  assert.equal(readFileSync(join(dir, '_version.py.bld'), 'utf8'), '# mine\n');
  await run({ cwd: dir, force: true });
  assert.match(readFileSync(join(dir, '_version.py.bld'), 'utf8'), /def get_versions/);
});
