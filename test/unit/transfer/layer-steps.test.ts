// Resumable transfer: which loads, their step images, the sized tarballs, and the order in
// which a `docker save` stream's layers go out (bottom first, whatever order they come in).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import { chainSetOf } from '../../../src/transfer/chain.js';
import { imageIdOf, planSteps, STEP_OF, stepConfig, stepImagesThere, stepManifest, tarSize } from '../../../src/transfer/layer-steps.js';
import { layerSelector } from '../../../src/transfer/layer-select.js';
import { planLayers } from '../../../src/transfer/plan.js';
import { sendInSteps } from '../../../src/transfer/resume-send.js';
import type { RemoteSession } from '../../../src/transfer/remote.js';

const layer = (n: number, size: number) => Buffer.alloc(size, n);
const diffOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const LAYERS = [layer(1, 700), layer(2, 1300), layer(3, 100), layer(4, 2000)];
const DIFFS = LAYERS.map(diffOf);
const IMAGE = `sha256:${'9'.repeat(64)}`;

test('steps: the missing layers, bottom first', () => {
  const plan = planLayers(DIFFS, chainSetOf([DIFFS.slice(0, 1)]));
  assert.deepEqual(planSteps(plan).map((s) => s.index), [1, 2, 3]);
  assert.deepEqual(planSteps(planLayers(DIFFS, chainSetOf([DIFFS]))), []);
});

test('a step image is named by its config: the same in every run, marked as transferctl\'s step', () => {
  const c = stepConfig(DIFFS, 1, IMAGE);
  assert.deepEqual(JSON.parse(c.toString()).rootfs.diff_ids, DIFFS.slice(0, 2));
  assert.equal(JSON.parse(c.toString()).config.Labels[STEP_OF], IMAGE);
  assert.equal(imageIdOf(c), imageIdOf(stepConfig(DIFFS, 1, IMAGE)));
  assert.notEqual(imageIdOf(c), imageIdOf(stepConfig(DIFFS, 1, `sha256:${'8'.repeat(64)}`)));
  const there = new Set([imageIdOf(stepConfig(DIFFS, 2, IMAGE)), 'sha256:other']);
  assert.deepEqual(stepImagesThere(DIFFS, IMAGE, there), [imageIdOf(stepConfig(DIFFS, 2, IMAGE))]);
  assert.deepEqual(JSON.parse(stepManifest(2).toString())[0].Layers, ['layer-0.tar', 'layer-1.tar', 'layer-2.tar']);
});

test('tarSize matches what tar-stream writes', async () => {
  const sizes = [0, 1, 511, 512, 513, 4000];
  const pk = tarPack();
  sizes.forEach((s, i) => pk.entry({ name: `f${i}`, size: s }, Buffer.alloc(s)));
  pk.finalize();
  let n = 0;
  for await (const c of pk as unknown as Readable) n += (c as Buffer).length;
  assert.equal(n, tarSize(sizes));
});

/** A docker save (OCI layout) with the layer blobs in the given order, config and manifest last. */
async function save(order: number[]): Promise<Readable> {
  const pk = tarPack();
  for (const i of order) pk.entry({ name: `blobs/sha256/${DIFFS[i].slice(7)}`, size: LAYERS[i].length }, LAYERS[i]);
  const config = Buffer.from(JSON.stringify({ rootfs: { diff_ids: DIFFS } }));
  pk.entry({ name: 'blobs/sha256/' + 'c'.repeat(64), size: config.length }, config);
  const manifest = Buffer.from(JSON.stringify([{ Config: 'blobs/sha256/' + 'c'.repeat(64), RepoTags: ['x:1'], Layers: DIFFS.map((d) => `blobs/sha256/${d.slice(7)}`) }]));
  pk.entry({ name: 'manifest.json', size: manifest.length }, manifest);
  pk.finalize();
  return pk as unknown as Readable;
}

/** A session that reads each step tarball as docker load would and says what it loaded. */
function fakeSession(loads: { layers: string[]; files: Map<string, Buffer> }[], failAt = -1): RemoteSession {
  return {
    state: { serverVersion: 'x', containerdStore: false, images: [] },
    async loadStep(tar, size) {
      const files = new Map<string, Buffer>();
      let bytes = 0;
      const ex = tarExtract();
      tar.on('data', (c: Buffer) => (bytes += c.length));
      tar.pipe(ex as unknown as NodeJS.WritableStream);
      for await (const e of ex) {
        const parts: Buffer[] = [];
        for await (const c of e) parts.push(c as Buffer);
        files.set(e.header.name, Buffer.concat(parts));
      }
      assert.equal(bytes, size, 'the announced size is the tarball\'s');
      const manifest = JSON.parse(files.get('manifest.json')!.toString());
      loads.push({ layers: manifest[0].Layers, files });
      if (loads.length - 1 === failAt) throw new Error('connection cut');
      return files.has('config.json') ? imageIdOf(files.get('config.json')!) : null;
    },
    async remove() {},
    load: async () => ({ loaded: [], imageId: null }),
    tag: async () => null,
    check: async () => null,
    save: () => Readable.from([]),
    close() {},
  };
}

test('layers coming out of order go bottom first, each alone with its step config; the final tarball has no layer files', async () => {
  const plan = planLayers(DIFFS, chainSetOf([DIFFS.slice(0, 1)]));
  const loads: { layers: string[]; files: Map<string, Buffer> }[] = [];
  const r = await sendInSteps(await save([3, 0, 2, 1]), layerSelector(plan.diffIds, plan.send), { session: fakeSession(loads), plan, imageId: IMAGE });
  assert.deepEqual(loads.map((l) => l.layers.length), [2, 3, 4], 'layers 1, 2, 3 in that order');
  loads.forEach((l, k) => {
    const i = k + 1;
    assert.deepEqual(l.files.get(`layer-${i}.tar`), LAYERS[i], `step ${k} carries layer ${i} only`);
    assert.equal([...l.files.keys()].filter((n) => n.startsWith('layer-')).length, 1);
  });
  assert.equal(r.stepIds.length, 3);
  assert.equal(r.keptLayers, 3);
  assert.equal(r.keptLayerBytes, 1300 + 100 + 2000);
  assert.equal(r.droppedLayerBytes, 700);
  const final = new Set<string>();
  const ex = tarExtract();
  Readable.from([r.final]).pipe(ex as unknown as NodeJS.WritableStream);
  for await (const e of ex) {
    final.add(e.header.name);
    e.resume();
  }
  assert.deepEqual([...final].sort(), ['blobs/sha256/' + 'c'.repeat(64), 'manifest.json']);
});

test('a cut during a step rejects after the steps before it were loaded', async () => {
  const plan = planLayers(DIFFS, new Set());
  const loads: { layers: string[]; files: Map<string, Buffer> }[] = [];
  await assert.rejects(sendInSteps(await save([0, 1, 2, 3]), layerSelector(plan.diffIds, plan.send), { session: fakeSession(loads, 2), plan, imageId: IMAGE }), /connection cut/);
  assert.equal(loads.length, 3, 'steps 0 and 1 loaded, step 2 in flight');
});
