import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init } from '../../../src/workspace/init.js';
import { loadWorkspace } from '../../../src/config/load.js';

function folder(t: { after(fn: () => void): void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tc-init-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test('init beside a devcontainer.json: says it decides, writes no volume keys that would override its workspaceFolder', (t) => {
  const dir = folder(t, {
    '.devcontainer/py/devcontainer.json': '{ "image": "transferctl/jupyter:bookworm", "workspaceFolder": "/srv/project" }',
    'requirements.txt': 'numpy\n',
  });
  const r = init(dir);
  assert.deepEqual(r.written, ['transfer.json', '.dockerignore']);
  assert.match(r.buildsFrom, /^\.devcontainer\/py\/devcontainer\.json/);
  assert.equal(r.found[0].path, '.devcontainer/py/devcontainer.json');
  assert.ok(r.found.some((f) => f.path === 'requirements.txt' && !f.used && /ignored/.test(f.action)));
  const written = JSON.parse(readFileSync(join(dir, 'transfer.json'), 'utf8'));
  assert.equal(written.volume, undefined);
  const spec = loadWorkspace({ cwd: dir });
  assert.equal(spec.devcontainer?.workspaceFolder, '/srv/project');
});

test('init --dockerfile beside a devcontainer.json is refused: the Dockerfile would not be used; nothing written', (t) => {
  const dir = folder(t, { '.devcontainer.json': '{ "image": "x" }' });
  assert.throws(() => init(dir, { dockerfile: true }), /\.devcontainer\.json decides the environment/);
  assert.equal(existsSync(join(dir, 'transfer.json')), false);
});

test('init without a devcontainer.json keeps the volume keys', (t) => {
  const dir = folder(t, {});
  init(dir);
  const written = JSON.parse(readFileSync(join(dir, 'transfer.json'), 'utf8'));
  assert.equal(written.volume['host-directory'], '.');
});
