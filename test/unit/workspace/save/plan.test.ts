// planWrite / planSave: which way a save's layer is written, what the temporary container
// deletes first, where the environment goes, and the fallback when a load is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAST_COPY_MIN_BYTES, LOAD_MAX_LOCAL_BYTES, planSave, planWrite, type SaveInput, type WriteChoice } from '../../../../src/workspace/save/plan.js';
import { LAYER_TAR_MAX_FILE } from '../../../../src/workspace/save/layer-tar.js';

const MB = 1024 * 1024;
const files = (...sizes: number[]) => sizes.map((size) => ({ size }));
const changed = (...sizes: number[]) => ({ changed: true, write: files(...sizes), skipped: 0 });
const local = { local: true };
const remote = { local: false };

test('a local engine loads small changes, copies many bytes with cp -a, and streams a tar between', () => {
  assert.deepEqual(planWrite(changed(1000, 2 * MB), local), { method: 'load', fallback: 'tar', hashEarly: false });
  // Past the fast copy's threshold a refused load falls back to the copy, not the tar stream.
  assert.deepEqual(planWrite(changed(FAST_COPY_MIN_BYTES), local), { method: 'load', fallback: 'cp', hashEarly: false });
  assert.deepEqual(planWrite(changed(LOAD_MAX_LOCAL_BYTES), local), { method: 'cp', hashEarly: true });
});

test('a remote engine loads everything it can and never takes the fast copy', () => {
  assert.deepEqual(planWrite(changed(LOAD_MAX_LOCAL_BYTES * 4), remote), { method: 'load', fallback: 'tar', hashEarly: false });
  assert.deepEqual(planWrite(changed(LAYER_TAR_MAX_FILE + 1), remote), { method: 'tar', hashEarly: false });
  assert.deepEqual(planWrite(changed(LAYER_TAR_MAX_FILE + 1), { ...remote, via: 'cp' }), { method: 'tar', hashEarly: false });
});

test('a file too big for the layer tar, or nothing changed, goes through the temporary container', () => {
  assert.equal(planWrite(changed(10, LAYER_TAR_MAX_FILE + 1), local).method, 'cp');
  assert.equal(planWrite({ changed: false, write: [], skipped: 0 }, local).method, 'tar');
});

test('skipped entries (sockets, devices) rule out cp -a of whole folders', () => {
  assert.deepEqual(planWrite({ ...changed(LOAD_MAX_LOCAL_BYTES), skipped: 1 }, local), { method: 'tar', hashEarly: false });
});

test('TRANSFERCTL_SAVE_VIA forces a path', () => {
  assert.equal(planWrite(changed(10), { ...local, via: 'cp' }).method, 'cp');
  assert.equal(planWrite(changed(10), { ...local, via: 'container' }).method, 'tar');
  assert.deepEqual(planWrite(changed(LOAD_MAX_LOCAL_BYTES), { ...local, via: 'load' }), { method: 'load', fallback: 'cp', hashEarly: false });
  assert.equal(planWrite({ changed: false, write: [], skipped: 0 }, { ...local, via: 'load' }).method, 'tar');
});

const load: WriteChoice = { method: 'load', fallback: 'tar', hashEarly: false };
const save = (over: Partial<SaveInput>): SaveInput => ({
  kind: 'save',
  baseMode: 'previous',
  archivePath: '/archive',
  archive: { changed: true, remove: ['old.csv', 'gone'], choice: load },
  env: { changed: false, remove: [] },
  ...over,
});

test('nothing changed on the previous save: no new image; a fresh base always gets one', () => {
  const same = { archive: { changed: false, remove: [], choice: { method: 'tar', hashEarly: false } as WriteChoice } };
  assert.deepEqual(planSave(save(same)), { action: 'none' });
  assert.equal(planSave(save({ ...same, baseMode: 'fresh' })).action, 'write');
  assert.equal(planSave(save({ ...same, env: { changed: true, remove: [] } })).action, 'write');
});

test('a load carries the archive deletions itself; the environment goes in a layer below', () => {
  assert.deepEqual(planSave(save({ env: { changed: true, remove: ['/usr/lib/old'] } })), {
    action: 'write',
    write: { method: 'load', removals: ['/usr/lib/old'], env: 'below' },
    fallback: { method: 'tar', removals: ['/archive/old.csv', '/archive/gone'], env: 'none' },
  });
  assert.deepEqual(planSave(save({})), {
    action: 'write',
    write: { method: 'load', removals: [], env: 'none' },
    fallback: { method: 'tar', removals: ['/archive/old.csv', '/archive/gone'], env: 'none' },
  });
});

test('the fallback writes by the method the plan chose for a refused load', () => {
  const plan = planSave(save({ archive: { changed: true, remove: [], choice: { method: 'load', fallback: 'cp', hashEarly: false } } }));
  assert.equal(plan.action === 'write' && plan.fallback?.method, 'cp');
});

test('the copy and the tar stream delete the environment and archive paths first, in one layer with the environment', () => {
  const choice: WriteChoice = { method: 'cp', hashEarly: true };
  const plan = planSave(save({ archive: { changed: true, remove: ['a b'], choice }, env: { changed: true, remove: ['/etc/x'] }, archivePath: '/data' }));
  assert.deepEqual(plan, { action: 'write', write: { method: 'cp', removals: ['/etc/x', '/data/a b'], env: 'with' } });
});

test('a commit writes only the environment', () => {
  assert.deepEqual(planSave({ kind: 'commit', baseMode: 'fresh', archivePath: '/archive', env: { changed: true, remove: ['/x'] } }), {
    action: 'write',
    write: { method: 'environment', removals: ['/x'], env: 'with' },
  });
  assert.deepEqual(planSave({ kind: 'commit', baseMode: 'fresh', archivePath: '/archive', env: { changed: false, remove: [] } }), {
    action: 'write',
    write: { method: 'environment', removals: [], env: 'none' },
  });
});
