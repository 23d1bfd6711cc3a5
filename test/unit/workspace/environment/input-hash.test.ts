// The environment hash over real folders, through the real build input (the engine seam only
// answers image IDs): what must change it and what must not.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../../../src/engine/index.js';
import { resolveWorkspace } from '../../../../src/config/load.js';
import { buildInput } from '../../../../src/workspace/environment/build-input.js';
import { detectEnvironment } from '../../../../src/workspace/environment/source.js';
import { environmentHash } from '../../../../src/workspace/environment/hash-inputs.js';
import { hashTag, inputHash } from '../../../../src/workspace/environment/input-hash.js';
import { tempDir } from '../../../helpers/tmp.js';

/** An engine that knows image IDs and nothing else. */
function fakeEngine(ids: Record<string, string>): Engine {
  return { images: { inspect: async (ref: string) => (ids[ref] ? { id: ids[ref] } : null) } } as unknown as Engine;
}

const BASE = 'transferctl/jupyter:bookworm';
const ENGINE = fakeEngine({ [BASE]: 'sha256:aaa' });

async function hashOf(dir: string, raw: object = {}, engine = ENGINE): Promise<string> {
  const spec = resolveWorkspace({ image: { name: 'ws', base: BASE }, ...raw }, { configPath: join(dir, 'transfer.json'), root: dir });
  const input = await buildInput(engine, spec, detectEnvironment(spec), {});
  const h = await environmentHash(engine, input);
  assert.ok(h.ok, 'the hash can be made');
  return h.hash;
}

function builtinFolder(t: TestContext): string {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'analysis.ipynb'), '{"cells": []}');
  writeFileSync(join(dir, 'requirements.txt'), '# nothing yet\n');
  return dir;
}

test("transferctl's own Dockerfile: a notebook edit keeps the hash, a requirements.txt edit changes it", async (t) => {
  const dir = builtinFolder(t);
  const first = await hashOf(dir);
  writeFileSync(join(dir, 'analysis.ipynb'), '{"cells": [1]}');
  writeFileSync(join(dir, 'new-notebook.ipynb'), '{}');
  assert.equal(await hashOf(dir), first);
  writeFileSync(join(dir, 'requirements.txt'), '# nothing yet\npandas\n');
  assert.notEqual(await hashOf(dir), first);
});

test('a build arg, the target or the base image ID changes the hash', async (t) => {
  const dir = builtinFolder(t);
  const first = await hashOf(dir);
  assert.equal(await hashOf(dir), first, 'the same inputs give the same hash');
  assert.notEqual(await hashOf(dir, { image: { name: 'ws', base: BASE, 'build-args': { X: '1' } } }), first);
  assert.notEqual(await hashOf(dir, { image: { name: 'ws', base: BASE, target: 'env' } }), first);
  assert.notEqual(await hashOf(dir, {}, fakeEngine({ [BASE]: 'sha256:bbb' })), first);
});

test('the image name and the cache repository are not inputs', async (t) => {
  const dir = builtinFolder(t);
  assert.equal(await hashOf(dir, { image: { name: 'other', base: BASE, 'cache-repo': '127.0.0.1:5000/x' } }), await hashOf(dir));
});

test("a user Dockerfile: what it COPYs counts, what it does not and what .dockerignore leaves out do not", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'Dockerfile'), `FROM ${BASE}\nCOPY requirements.txt conf* /tmp/\nCOPY . /opt/all\n`);
  writeFileSync(join(dir, '.dockerignore'), '*.ipynb\ndata/\n');
  writeFileSync(join(dir, 'requirements.txt'), 'a\n');
  writeFileSync(join(dir, 'analysis.ipynb'), '{}');
  const first = await hashOf(dir);
  writeFileSync(join(dir, 'analysis.ipynb'), '{"edited": true}');
  assert.equal(await hashOf(dir), first, 'an ignored notebook');
  writeFileSync(join(dir, 'conf.yml'), 'x: 1\n');
  const withConf = await hashOf(dir);
  assert.notEqual(withConf, first, 'a file a glob names');
  writeFileSync(join(dir, 'Dockerfile'), `FROM ${BASE}\nCOPY requirements.txt /tmp/\n`);
  const narrow = await hashOf(dir);
  writeFileSync(join(dir, 'notes.md'), 'not copied\n');
  assert.equal(await hashOf(dir), narrow, 'a file no COPY names');
  writeFileSync(join(dir, 'requirements.txt'), 'b\n');
  assert.notEqual(await hashOf(dir), narrow, 'a file COPY names');
});

test('a base not on the engine: no hash yet, and which base says why', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM quay.io/nowhere/base:1\n');
  const spec = resolveWorkspace({ image: { name: 'ws' } }, { configPath: join(dir, 'transfer.json'), root: dir });
  const input = await buildInput(ENGINE, spec, detectEnvironment(spec), {});
  assert.deepEqual(await environmentHash(ENGINE, input), { ok: false, missingBase: 'quay.io/nowhere/base:1' });
});

test('inputHash is canonical: the order of files, args and bases does not matter', () => {
  const f = (path: string) => ({ path, sha256: path, executable: false });
  const a = inputHash({ dockerfile: 'D', dockerfileText: 'FROM x', files: [f('a'), f('b')], buildArgs: { A: '1', B: '2' }, bases: { x: '1', y: '2' } });
  const b = inputHash({ dockerfile: 'D', dockerfileText: 'FROM x', files: [f('b'), f('a')], buildArgs: { B: '2', A: '1' }, bases: { y: '2', x: '1' } });
  assert.equal(a, b);
  assert.match(hashTag(a), /^env-[0-9a-f]{12}$/);
});
