// transfer --from: which layer files the remote's `docker save` leaves out (GNU tar --delete
// there), in both save layouts; and how `transfer` reads its images and direction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropPaths } from '../../../src/transfer/fetch.js';
import { legacyLayerDirs } from '../../../src/transfer/chain.js';
import { planLayers } from '../../../src/transfer/plan.js';
import { chainIds } from '../../../src/transfer/chain.js';
import { splitTarget } from '../../../src/cli/commands/transfer.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;

test('Docker 25+ (OCI layout): the blobs of the layers here, by diff ID', () => {
  const layers = [d('a'), d('b'), d('c')];
  const plan = planLayers(layers, new Set(chainIds(layers).slice(0, 2)));
  assert.deepEqual(dropPaths(plan, '26.1.5'), [`blobs/sha256/${'a'.repeat(64)}`, `blobs/sha256/${'b'.repeat(64)}`]);
});

test('Docker 20.10 (legacy layout): <v1 id>/layer.tar of the layers here; the top one always travels', () => {
  const layers = [d('a'), d('b'), d('c')];
  const dirs = legacyLayerDirs(layers);
  const below = planLayers(layers, new Set(chainIds(layers).slice(0, 2)));
  assert.deepEqual(dropPaths(below, '20.10.24+dfsg1'), [`${dirs[0]}/layer.tar`, `${dirs[1]}/layer.tar`]);
  const all = planLayers(layers, new Set(chainIds(layers)));
  assert.equal(dropPaths(all, '20.10.24').length, 2, 'the top layer cannot be named, so it is not left out');
});

test('a diff ID that is also needed higher up is never left out', () => {
  const layers = [d('a'), d('b'), d('a')];
  const plan = planLayers(layers, new Set(chainIds(layers).slice(0, 1)));
  assert.deepEqual(dropPaths(plan, '26.0.0'), []);
});

test('transfer IMAGE HOST, IMG1 IMG2 --to HOST, IMAGE --from HOST', () => {
  assert.deepEqual(splitTarget(['img', 'me@host'], {}), { images: ['img'], host: 'me@host', direction: 'to' });
  assert.deepEqual(splitTarget(['a', 'b'], { to: 'h' }), { images: ['a', 'b'], host: 'h', direction: 'to' });
  assert.deepEqual(splitTarget(['a'], { from: 'h' }), { images: ['a'], host: 'h', direction: 'from' });
  assert.deepEqual(splitTarget(['a'], { engine: 'tcp://h:2375' }), { images: ['a'], host: undefined, direction: 'to' });
  assert.throws(() => splitTarget(['a'], {}), /where to\?/);
  assert.throws(() => splitTarget(['a'], { to: 'h', from: 'g' }), /one direction/);
});
