// Layer maths: chain IDs, Docker 20.10's v1 layer folder names, the plan, the entry selector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chainIds, chainSetOf, legacyLayerDirs } from '../../../src/transfer/chain.js';
import { estimateSend, layerSizesFromHistory, planLayers, planWhole } from '../../../src/transfer/plan.js';
import { layerSelector } from '../../../src/transfer/layer-select.js';

// Seen on Docker 20.10.24: `docker save` of an image with these three diff IDs named the
// lower two layer folders e7f334a6… and 19eda14e… (and the top one after its full config).
const DIFFS = [
  'sha256:95e8611cd2d600a76e088acb5842f315e69f9ff6bd8870997aa1b2de85d9dfe3',
  'sha256:93f95be18be850972e543a10daefa509b5957db16b1614a29d25df3861693c19',
  'sha256:cf1b351651caca8ca350c9b6b17bbbb0c15f91fc1980e1045832edf04195601e',
];
const DIRS = ['e7f334a6f2f1bacd398f4c88cdbcfa96c24744f829a5a7ce5bc012b23f679f15', '19eda14e5f4ff4cef9750d93d9fc586992ed1267220c33a572608733046aa673'];
const TOP = 'ccc74910fc0f5b641760bf8db5f0049c150e40de62fa5cb70e659cc269ce0084';

test('chain IDs follow moby: chain(0)=diff(0), chain(n)=sha256(chain(n-1)+" "+diff(n))', () => {
  const c = chainIds(DIFFS);
  assert.equal(c[0], DIFFS[0]);
  assert.match(c[1], /^sha256:[0-9a-f]{64}$/);
  assert.notEqual(c[1], DIFFS[1]);
  assert.deepEqual(chainIds(DIFFS.slice(0, 2)), c.slice(0, 2), 'a prefix has the same chain');
  assert.deepEqual(chainIds([]), []);
});

test('chainSetOf holds every prefix of every image', () => {
  const set = chainSetOf([DIFFS.slice(0, 1), DIFFS]);
  assert.equal(set.size, 3);
  for (const c of chainIds(DIFFS)) assert.ok(set.has(c));
});

test('legacy layer folders match what Docker 20.10 wrote', () => {
  assert.deepEqual(legacyLayerDirs(DIFFS), DIRS);
  assert.deepEqual(legacyLayerDirs(DIFFS.slice(0, 1)), [], 'one layer: only the top, found by its json');
});

test('plan: layers whose chain the target has stay home', () => {
  const base = chainSetOf([DIFFS.slice(0, 2)]);
  const p = planLayers(DIFFS, base);
  assert.deepEqual(p.present, [true, true, false]);
  assert.equal(p.missing, 1);
  assert.deepEqual([...p.send], [DIFFS[2]]);
  // Same diff ID on another chain is NOT the same layer for docker load.
  const other = planLayers([DIFFS[1], DIFFS[2]], base);
  assert.equal(other.missing, 2);
  assert.equal(planWhole(DIFFS).missing, 3);
});

test('plan: a layer file serves every equal diff ID (repeated layers)', () => {
  const d = [DIFFS[0], DIFFS[1], DIFFS[1]];
  const p = planLayers(d, chainSetOf([d.slice(0, 2)]));
  assert.deepEqual(p.present, [true, true, false]);
  assert.ok(p.send.has(DIFFS[1]));
});

test('selector, legacy layout: keeps missing layers, drops present ones, finds the top by its parent', () => {
  const s = layerSelector(DIFFS, new Set([DIFFS[2]]));
  assert.equal(s.decide(`${DIRS[0]}/layer.tar`), 'drop');
  assert.equal(s.decide(`${DIRS[1]}/layer.tar`), 'drop');
  assert.equal(s.decide(`${TOP}/layer.tar`), 'unknown', 'before its json is seen');
  s.noteJson(`${TOP}/json`, JSON.stringify({ id: TOP, parent: DIRS[1] }));
  assert.equal(s.decide(`${TOP}/layer.tar`), 'keep');
  assert.equal(s.decide('manifest.json'), 'keep');
  assert.equal(s.decide(`${TOP}/json`), 'keep');
  assert.ok(s.isLayer(`${TOP}/layer.tar`));
  assert.ok(!s.isLayer('repositories'));
  assert.equal(s.decideByDiffId(DIFFS[2]), 'keep');
  assert.equal(s.decideByDiffId(DIFFS[0]), 'drop');
});

test('selector, legacy layout: a json whose parent is not the layer below says nothing', () => {
  const s = layerSelector(DIFFS, new Set([DIFFS[2]]));
  s.noteJson(`${TOP}/json`, JSON.stringify({ id: TOP, parent: DIRS[0] }));
  assert.equal(s.decide(`${TOP}/layer.tar`), 'unknown');
  s.noteJson(`${TOP}/json`, 'not json');
  assert.equal(s.decide(`${TOP}/layer.tar`), 'unknown');
});

test('selector, OCI layout (Docker 25+): layer blobs are named by diff ID', () => {
  const s = layerSelector(DIFFS, new Set([DIFFS[2]]));
  const blob = (d: string) => `blobs/sha256/${d.slice(7)}`;
  assert.equal(s.decide(blob(DIFFS[0])), 'drop');
  assert.equal(s.decide(blob(DIFFS[2])), 'keep');
  assert.equal(s.decide(`blobs/sha256/${'a'.repeat(64)}`), 'keep', 'config and manifests travel');
  assert.equal(s.decide('index.json'), 'keep');
  assert.ok(!s.isLayer(`blobs/sha256/${'a'.repeat(64)}`));
});

test('layer sizes from docker history (newest first): steps that add bytes are the layers', () => {
  const history = [{ size: 0 }, { size: 5_000 }, { size: 0 }, { size: 400_000 }, { size: 0 }, { size: 200_000 }];
  assert.deepEqual(layerSizesFromHistory(3, history), [200_000, 400_000, 5_000]);
  // An empty-diff layer makes fewer sized steps than layers: the top ones are matched.
  assert.deepEqual(layerSizesFromHistory(4, history), [0, 200_000, 400_000, 5_000]);
  assert.deepEqual(layerSizesFromHistory(2, []), [0, 0]);
  const plan = planLayers(DIFFS, chainSetOf([DIFFS.slice(0, 2)]));
  assert.equal(estimateSend(plan, [200_000, 400_000, 5_000]), 5_000);
  assert.equal(estimateSend(planWhole(DIFFS), [1, 2, 3]), 6);
});
