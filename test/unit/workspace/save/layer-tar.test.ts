// The layer tar a save loads: its size is known before the first byte, and it is right for
// long and unicode names, long symlink targets, empty files and whiteouts; its diff ID is
// the sha256 of exactly the bytes streamed; the entries are what a restore expects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { layerTarSize, layerTarStream, type LayerTarRequest } from '../../../../src/workspace/save/layer-tar.js';
import { scanFolder } from '../../../../src/workspace/save/scan.js';

function folder(): string {
  const root = mkdtempSync(join(tmpdir(), 'tc-layer-tar-'));
  const long = 'd'.repeat(120);
  mkdirSync(join(root, long, 'ünïcødé ✓'), { recursive: true });
  writeFileSync(join(root, long, 'ünïcødé ✓', `${'f'.repeat(90)}.ipynb`), 'x'.repeat(1000));
  writeFileSync(join(root, 'empty.txt'), '');
  writeFileSync(join(root, 'exactly-512.bin'), Buffer.alloc(512, 7));
  writeFileSync(join(root, 'odd.bin'), Buffer.alloc(513, 9));
  symlinkSync(`../${'t'.repeat(150)}`, join(root, 'link'));
  return root;
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

test('layer tar: predicted size, diff ID and entries match what is streamed', async (t) => {
  const root = folder();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const req: LayerTarRequest = {
    root,
    prefix: 'archive',
    entries: scanFolder(root).entries,
    removed: ['gone.txt', `${'d'.repeat(120)}/old folder`],
    manifestName: '.transferctl-manifest.json.gz',
    manifest: Buffer.from('manifest bytes'),
    now: new Date('2026-01-02T03:04:05Z'),
  };
  const size = await layerTarSize(req);
  const { stream, diffId } = layerTarStream(req);
  const bytes = await collect(stream);
  assert.equal(bytes.length, size, 'the size is known before streaming');
  assert.equal(await diffId, `sha256:${createHash('sha256').update(bytes).digest('hex')}`);

  const names: string[] = [];
  const ex = tar.extract();
  const done = (async () => {
    for await (const e of ex) {
      names.push(`${e.header.type}:${e.header.name}${e.header.linkname ? ` -> ${e.header.linkname}` : ''}`);
      e.resume();
    }
  })();
  ex.end(bytes);
  await done;
  const long = 'd'.repeat(120);
  assert.deepEqual(names.slice(0, 3), ['directory:archive', 'file:archive/.wh.gone.txt', `file:archive/${long}/.wh.old folder`]);
  assert.ok(names.includes(`file:archive/${long}/ünïcødé ✓/${'f'.repeat(90)}.ipynb`));
  assert.ok(names.includes(`symlink:archive/link -> ../${'t'.repeat(150)}`));
  assert.equal(names.at(-1), 'file:archive/.transferctl-manifest.json.gz');
});

test('layer tar: a file that shrinks while it is read is an error that names it', async (t) => {
  const root = folder();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const entries = scanFolder(root).entries;
  writeFileSync(join(root, 'odd.bin'), Buffer.alloc(10));
  const { stream, diffId } = layerTarStream({ root, prefix: 'archive', entries, removed: [], manifestName: 'm', manifest: Buffer.alloc(1), now: new Date() });
  await assert.rejects(collect(stream));
  await assert.rejects(diffId, /odd\.bin changed while it was being saved \(10 of 513 bytes read\)/);
});
