import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tarStream from 'tar-stream';
import { tempDir } from '../helpers/tmp.js';
import { folderContext } from '../../src/context-tar.js';

async function entries(stream: NodeJS.ReadableStream): Promise<Map<string, string>> {
  const extract = tarStream.extract();
  const out = new Map<string, string>();
  extract.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: Buffer) => chunks.push(c));
    body.on('end', () => {
      out.set(header.name, Buffer.concat(chunks).toString());
      next();
    });
  });
  const done = new Promise((resolve, reject) => extract.on('finish', resolve).on('error', reject));
  stream.pipe(extract);
  await done;
  return out;
}

test('a folder context carries a generated Dockerfile beside the files .dockerignore lets through', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'binder'));
  writeFileSync(join(dir, 'binder', 'postBuild'), '#!/bin/sh\n');
  writeFileSync(join(dir, 'big.tar'), 'x');
  writeFileSync(join(dir, '.dockerignore'), '*.tar\n');
  const got = await entries(folderContext(dir, [], [{ name: '.transferctl.Dockerfile', content: 'FROM x\n' }]));
  assert.equal(got.get('.transferctl.Dockerfile'), 'FROM x\n');
  assert.equal(got.get('binder/postBuild'), '#!/bin/sh\n');
  assert.equal(got.has('big.tar'), false);
});
