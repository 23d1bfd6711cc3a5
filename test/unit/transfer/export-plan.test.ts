// Several images in one export file: shared layers once, bases left out, what import must find.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportPlan } from '../../../src/transfer/export-plan.js';
import { imagesSelector } from '../../../src/transfer/layer-select.js';
import { legacyLayerDirs } from '../../../src/transfer/chain.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const BASE = [d('a')];
const X = [d('a'), d('b')];
const Y = [d('a'), d('b'), d('c')];
const Z = [d('a'), d('e')];

test('two images on one base: every distinct layer counted once, all in the file', () => {
  const p = exportPlan([X, Y], []);
  assert.deepEqual(p.counts, { total: 3, included: 3, leftOut: 0 });
  assert.deepEqual([...p.send].sort(), [d('a'), d('b'), d('c')]);
  assert.deepEqual(p.included, [[true, true], [true, true, true]]);
});

test('--without BASE leaves the shared base out of every image, once', () => {
  const p = exportPlan([X, Z], [{ ref: 'base', layers: BASE }]);
  assert.deepEqual(p.counts, { total: 3, included: 2, leftOut: 1 });
  assert.deepEqual(p.included, [[false, true], [false, true]]);
  assert.deepEqual(p.unrelatedBases, []);
  assert.ok(!p.send.has(d('a')));
});

test('a base related to none of the images is named; one related to some is not', () => {
  const p = exportPlan([X, [d('f')]], [{ ref: 'other', layers: [d('9')] }, { ref: 'base', layers: BASE }]);
  assert.deepEqual(p.unrelatedBases, ['other']);
  assert.deepEqual(p.included[1], [true]);
});

test('a layer file another image needs is in the file, and marked so for every image', () => {
  // Y is fully covered by the base X except its top; W has b on another chain, so b travels.
  const W = [d('b')];
  const p = exportPlan([Y, W], [{ ref: 'x', layers: X }]);
  assert.ok(p.send.has(d('b')));
  assert.deepEqual(p.included[0], [false, true, true], 'b is in the file, so Y does not require it there');
  assert.deepEqual(p.counts, { total: 4, included: 3, leftOut: 1 });
});

test('one selector for several images: each image finds its own layers; shared ones kept once decided', () => {
  const dirsY = legacyLayerDirs(Y);
  const s = imagesSelector([X, Y], new Set([d('c')]));
  assert.equal(s.decide(`${dirsY[0]}/layer.tar`), 'drop', 'the shared base layer');
  assert.equal(s.decide(`${dirsY[1]}/layer.tar`), 'drop', "Y's middle layer is X's top, dropped");
  const topY = 'f'.repeat(64);
  assert.equal(s.decide(`${topY}/layer.tar`), 'unknown', 'before its json');
  s.noteJson(`${topY}/json`, JSON.stringify({ parent: dirsY[1] }));
  assert.equal(s.decide(`${topY}/layer.tar`), 'keep');
  assert.equal(s.decide('manifest.json'), 'keep');
  assert.equal(s.decide(`blobs/sha256/${'c'.repeat(64)}`), 'keep');
  assert.equal(s.decide(`blobs/sha256/${'b'.repeat(64)}`), 'drop');
  assert.equal(s.decideByDiffId(d('c')), 'keep');
});
