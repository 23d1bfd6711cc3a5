// The partial tarball: filtering a `docker save` stream (both layouts), reading manifests,
// transferctl.json, and compression choices. Synthetic tarballs, no engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import { legacyLayerDirs } from '../../../src/transfer/chain.js';
import { filterSave } from '../../../src/transfer/layer-filter.js';
import { layerSelector } from '../../../src/transfer/layer-select.js';
import { planLayers } from '../../../src/transfer/plan.js';
import { chainSetOf, chainIds } from '../../../src/transfer/chain.js';
import { describeArchive, imageIdFromConfigPath, parseManifest } from '../../../src/transfer/archive.js';
import { META_FORMAT, parseMeta, requiredChains } from '../../../src/transfer/meta.js';
import { compressionFor, detectCompression, hasZstd } from '../../../src/transfer/compress.js';
import { UserError } from '../../../src/errors.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const LAYERS = [Buffer.alloc(3000, 1), Buffer.alloc(5000, 2), Buffer.alloc(700, 3)];
const DIFFS = LAYERS.map((l) => `sha256:${sha(l)}`);

type Entry = { name: string; body?: Buffer | string; type?: 'file' | 'directory' | 'symlink'; linkname?: string };

function tarOf(entries: Entry[]): Readable {
  const p = tarPack();
  for (const e of entries) {
    if (e.type === 'directory' || e.type === 'symlink') p.entry({ name: e.name, type: e.type, linkname: e.linkname });
    else p.entry({ name: e.name }, e.body ?? '');
  }
  p.finalize();
  return p as unknown as Readable;
}

async function entriesOf(stream: Readable): Promise<Map<string, Buffer>> {
  const ex = tarExtract();
  stream.pipe(ex as unknown as NodeJS.WritableStream);
  const out = new Map<string, Buffer>();
  for await (const e of ex) {
    const parts: Buffer[] = [];
    for await (const c of e) parts.push(c as Buffer);
    out.set(e.header.name, Buffer.concat(parts));
  }
  return out;
}

/** A legacy (Docker 20.10) save: lexical order, as moby's archive.Tar writes it. */
function legacySave(opts: { topParent?: string } = {}): { tar: Readable; dirs: string[] } {
  const dirs = [...legacyLayerDirs(DIFFS), 'f'.repeat(64)];
  const config = JSON.stringify({ rootfs: { type: 'layers', diff_ids: DIFFS } });
  const cfgName = `${sha(config)}.json`;
  const entries: Entry[] = [{ name: cfgName, body: config }];
  dirs.forEach((d, i) => {
    const parent = i === dirs.length - 1 ? (opts.topParent ?? dirs[i - 1]) : dirs[i - 1];
    entries.push({ name: `${d}/`, type: 'directory' }, { name: `${d}/VERSION`, body: '1.0' });
    entries.push({ name: `${d}/json`, body: JSON.stringify({ id: d, parent }) });
    entries.push({ name: `${d}/layer.tar`, body: LAYERS[i] });
  });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  const manifest = [{ Config: cfgName, RepoTags: ['demo:1'], Layers: dirs.map((d) => `${d}/layer.tar`) }];
  entries.push({ name: 'manifest.json', body: JSON.stringify(manifest) }, { name: 'repositories', body: '{}' });
  return { tar: tarOf(entries), dirs };
}

test('filter, legacy layout: only the missing layer travels; the rest of the structure stays', async () => {
  const { tar, dirs } = legacySave();
  const plan = planLayers(DIFFS, chainSetOf([DIFFS.slice(0, 2)]));
  const seen: { size: number; kept: boolean }[] = [];
  const f = filterSave(tar, layerSelector(DIFFS, plan.send), { onLayer: (l) => seen.push(l) });
  const [out, stats] = await Promise.all([entriesOf(f.output), f.stats]);
  assert.ok(!out.has(`${dirs[0]}/layer.tar`));
  assert.ok(!out.has(`${dirs[1]}/layer.tar`));
  assert.deepEqual(out.get(`${dirs[2]}/layer.tar`), LAYERS[2]);
  assert.ok(out.has('manifest.json') && out.has('repositories') && out.has(`${dirs[0]}/json`));
  assert.equal(stats.keptLayers, 1);
  assert.equal(stats.keptLayerBytes, 700);
  assert.equal(stats.droppedLayerBytes, 8000);
  assert.equal(stats.spooled, 0, 'no layer needed hashing');
  assert.deepEqual(seen.map((s) => s.kept), [false, false, true]);
});

test('filter: a layer it cannot place by name is hashed and decided by its diff ID', async () => {
  const { tar, dirs } = legacySave({ topParent: 'e'.repeat(64) }); // unknown parent: top is unplaceable
  const plan = planLayers(DIFFS, chainSetOf([DIFFS.slice(0, 2)]));
  const f = filterSave(tar, layerSelector(DIFFS, plan.send));
  const [out, stats] = await Promise.all([entriesOf(f.output), f.stats]);
  assert.equal(stats.spooled, 1);
  assert.deepEqual(out.get(`${dirs[2]}/layer.tar`), LAYERS[2]);
  assert.ok(!out.has(`${dirs[0]}/layer.tar`));
});

test('filter: transferctl.json goes first when asked', async () => {
  const { tar } = legacySave();
  const f = filterSave(tar, layerSelector(DIFFS, new Set(DIFFS)), { prepend: [{ name: 'transferctl.json', body: Buffer.from('{}') }] });
  const [out] = await Promise.all([entriesOf(f.output), f.stats]);
  assert.equal([...out.keys()][0], 'transferctl.json');
  assert.equal([...out.keys()].filter((k) => k.endsWith('layer.tar')).length, 3);
});

test('filter, OCI layout: layer blobs named by diff ID are dropped, config and index kept', async () => {
  const blob = (d: string) => `blobs/sha256/${d.slice(7)}`;
  const cfg = JSON.stringify({ rootfs: { diff_ids: DIFFS } });
  const tar = tarOf([
    { name: 'blobs/', type: 'directory' },
    ...DIFFS.map((d, i) => ({ name: blob(d), body: LAYERS[i] })),
    { name: `blobs/sha256/${sha(cfg)}`, body: cfg },
    { name: 'index.json', body: '{}' },
    { name: 'manifest.json', body: JSON.stringify([{ Config: `blobs/sha256/${sha(cfg)}`, Layers: DIFFS.map(blob) }]) },
    { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
  ]);
  const f = filterSave(tar, layerSelector(DIFFS, new Set([DIFFS[2]])));
  const [out, stats] = await Promise.all([entriesOf(f.output), f.stats]);
  assert.ok(!out.has(blob(DIFFS[0])) && !out.has(blob(DIFFS[1])));
  assert.ok(out.has(blob(DIFFS[2])) && out.has(`blobs/sha256/${sha(cfg)}`) && out.has('index.json') && out.has('oci-layout'));
  assert.equal(stats.keptLayers, 1);
});

test('filter: a broken input fails the output too (nothing silently short)', async () => {
  const broken = Readable.from([Buffer.alloc(512, 7)]);
  const f = filterSave(broken, layerSelector(DIFFS, new Set(DIFFS)));
  const outputFailed = new Promise<Error>((resolve) => f.output.on('error', resolve));
  f.output.resume();
  await assert.rejects(f.stats, /Invalid tar header/);
  assert.match((await outputFailed).message, /Invalid tar header/);
});

test('describeArchive: which layer files a tarball holds, in both layouts', () => {
  const cfg = JSON.stringify({ rootfs: { diff_ids: DIFFS } });
  const name = `${'a'.repeat(64)}.json`;
  const manifest = JSON.stringify([{ Config: name, RepoTags: ['x:1'], Layers: ['l0/layer.tar', 'l1/layer.tar', 'l2/layer.tar'] }]);
  const [img] = describeArchive({ manifest, files: new Map([[name, cfg]]), entries: new Set(['l2/layer.tar']) }, 'f.tar');
  assert.equal(img.imageId, `sha256:${'a'.repeat(64)}`);
  assert.deepEqual(img.included, [false, false, true]);
  assert.deepEqual(img.repoTags, ['x:1']);
  assert.equal(imageIdFromConfigPath(`blobs/sha256/${'b'.repeat(64)}`), `sha256:${'b'.repeat(64)}`);
});

test('describeArchive / parseManifest: damaged input says what is wrong and where', () => {
  assert.throws(() => parseManifest('nope', 'f.tar'), (e: Error) => e instanceof UserError && /f\.tar: manifest\.json is not JSON/.test(e.message));
  assert.throws(() => parseManifest('{"a":1}', 'f.tar'), /does not describe images/);
  const manifest = JSON.stringify([{ Config: 'c.json', Layers: ['a'] }]);
  assert.throws(() => describeArchive({ manifest, files: new Map(), entries: new Set() }, 'f.tar'), /c\.json is missing/);
  assert.throws(
    () => describeArchive({ manifest, files: new Map([['c.json', JSON.stringify({ rootfs: { diff_ids: DIFFS } })]]), entries: new Set() }, 'f.tar'),
    /lists 3 layers but manifest\.json 1/,
  );
});

test('meta: required chains are those of the layers left out', () => {
  const c = chainIds(DIFFS);
  assert.deepEqual(requiredChains(DIFFS, [false, false, true]), [c[0], c[1]]);
  assert.deepEqual(requiredChains(DIFFS, [true, true, true]), []);
  assert.equal(parseMeta('{"format":"other"}'), undefined);
  assert.equal(parseMeta('garbage'), undefined);
  assert.equal(parseMeta(JSON.stringify({ format: META_FORMAT, images: [] })), undefined, 'format 2 names at least one image');
  const two = parseMeta(JSON.stringify({ format: META_FORMAT, images: [img('a'), img('b')], bases: [] }));
  assert.deepEqual(two?.images.map((i) => i.image), ['a', 'b']);
});

const img = (image: string) => ({ image, imageId: `sha256:${'1'.repeat(64)}`, repoTags: [`${image}:latest`], diffIds: DIFFS, included: [false, true, true] });

test('meta: a format-1 file (one image, fields at the top) reads as one image', () => {
  const m = parseMeta(JSON.stringify({ format: 'transferctl-export/1', ...img('old'), bases: [{ ref: 'base', id: 'sha256:b' }], tool: 'transferctl 0.1.0' }));
  assert.equal(m?.format, META_FORMAT);
  assert.deepEqual(m?.images, [img('old')]);
  assert.deepEqual(m?.bases, [{ ref: 'base', id: 'sha256:b' }]);
});

test('compression: by flag, by file name, by magic bytes; zstd only where Node has it', () => {
  assert.equal(compressionFor('a.tar'), 'none');
  assert.equal(compressionFor('a.tar.gz'), 'gzip');
  assert.equal(compressionFor('a.tgz'), 'gzip');
  assert.equal(compressionFor('a.tar.zst'), 'zstd');
  assert.equal(compressionFor('a.tar', 'gzip'), 'gzip');
  assert.throws(() => compressionFor('a.tar', 'lz4'), /lz4: not a compression/);
  assert.equal(detectCompression(Buffer.from([0x1f, 0x8b, 8, 0])), 'gzip');
  assert.equal(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), 'zstd');
  assert.equal(detectCompression(Buffer.from('abcd')), 'none');
  assert.equal(hasZstd({}), false);
  assert.equal(hasZstd({ createZstdCompress: () => null as never, createZstdDecompress: () => null as never }), true);
});

test('filter: repeated layers are links to one file; the file travels when any of them must', async () => {
  const diffs = [DIFFS[0], DIFFS[1], DIFFS[1]];
  const dirs = [...legacyLayerDirs(diffs), 'f'.repeat(64)];
  const entries: Entry[] = [];
  dirs.forEach((d, i) => {
    entries.push({ name: `${d}/json`, body: JSON.stringify({ id: d, parent: dirs[i - 1] }) });
    if (i === 2) entries.push({ name: `${d}/layer.tar`, type: 'symlink', linkname: `../${dirs[1]}/layer.tar` });
    else entries.push({ name: `${d}/layer.tar`, body: LAYERS[i] });
  });
  // The target has layers 0 and 1 (their chains) but not 2, whose diff ID equals layer 1's.
  const plan = planLayers(diffs, chainSetOf([diffs.slice(0, 2)]));
  const f = filterSave(tarOf(entries), layerSelector(diffs, plan.send));
  const [out] = await Promise.all([entriesOf(f.output), f.stats]);
  assert.ok(!out.has(`${dirs[0]}/layer.tar`));
  assert.deepEqual(out.get(`${dirs[1]}/layer.tar`), LAYERS[1], 'the file the link points at');
  assert.ok(out.has(`${dirs[2]}/layer.tar`), 'the link itself');
});
