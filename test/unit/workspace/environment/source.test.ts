import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../helpers/tmp.js';
import { resolveWorkspace } from '../../../../src/config/load.js';
import { describeSource, detectEnvironment } from '../../../../src/workspace/environment/source.js';

const specIn = (root: string, raw = {}) => resolveWorkspace(raw, { configPath: join(root, 'transfer.json'), root });

test('the order: named Dockerfile, root Dockerfile (no binder folder), repo2docker files, then the plain image', (t) => {
  const dir = tempDir(t);
  assert.equal(detectEnvironment(specIn(dir)).kind, 'builtin');
  writeFileSync(join(dir, 'requirements.txt'), 'pandas\n');
  const r2d = detectEnvironment(specIn(dir));
  assert.equal(r2d.kind, 'repo2docker');
  assert.match(describeSource(r2d, dir), /repo2docker's files in the folder \(requirements\.txt\)/);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM x\n');
  assert.deepEqual(detectEnvironment(specIn(dir)), { kind: 'dockerfile', dockerfile: join(dir, 'Dockerfile'), context: dir, from: 'folder' });
  writeFileSync(join(dir, 'Other.dockerfile'), 'FROM y\n');
  assert.equal((detectEnvironment(specIn(dir, { image: { dockerfile: 'Other.dockerfile' } })) as { from?: string }).from, 'config');
});

test('binder/ hides the root Dockerfile; binder/Dockerfile overrides the rest', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM x\n');
  mkdirSync(join(dir, 'binder'));
  writeFileSync(join(dir, 'binder', 'postBuild'), '#!/bin/sh\n');
  const s = detectEnvironment(specIn(dir));
  assert.equal(s.kind, 'repo2docker');
  writeFileSync(join(dir, 'binder', 'Dockerfile'), 'FROM y\n');
  const d = detectEnvironment(specIn(dir));
  assert.ok(d.kind === 'repo2docker' && d.plan.dockerfile === 'binder/Dockerfile');
  assert.match(describeSource(d, dir), /Dockerfile binder\/Dockerfile/);
});
