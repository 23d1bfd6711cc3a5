// src/engine/lazy-deps.ts: what dockerode and docker-modem require at load but rarely use is a
// stand-in until first use, and then behaves as the real module (dockerode's own copy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import '../../../src/engine/lazy-deps.js';

const here = createRequire(import.meta.url);
const modemFile = here.resolve('docker-modem/lib/modem.js');
const dockerodeUtil = join(dirname(here.resolve('dockerode')), 'util.js');
const bundleFile = new URL('../../../dist/bundle/status.cjs', import.meta.url).pathname;

test('the hijack duplex: a stand-in constructor that makes the real one', () => {
  const real = here(join(dirname(modemFile), 'http_duplex.js'));
  const Stand = createRequire(modemFile)('./http_duplex') as new (req: unknown, res: unknown) => object;
  assert.notEqual(Stand, real, 'not loaded at require');
  const req = new PassThrough();
  const res = new PassThrough();
  const d = new Stand(req, res);
  assert.ok(d instanceof real, 'new on the stand-in gives an instance of the real class');
  assert.equal(typeof (d as { write?: unknown }).write, 'function');
});

test('tar-fs and the .dockerignore parser load on first use; from the bundle, dockerode\'s own copy', () => {
  const fromUtil = createRequire(dockerodeUtil);
  const tar = fromUtil('tar-fs') as { pack: unknown };
  const realOwn = here(fromUtil.resolve('tar-fs'));
  assert.equal(tar.pack, realOwn.pack);
  const fromBundle = createRequire(bundleFile)('tar-fs') as { pack: unknown };
  assert.equal(fromBundle.pack, realOwn.pack, 'the bundle gets the tar-fs dockerode would have found');
  const ignore = fromUtil('@balena/dockerignore') as (o: object) => { add(s: string): { ignores(p: string): boolean } };
  assert.equal(ignore({ ignorecase: false }).add('*.log').ignores('a.log'), true);
});

test('the same names required from our own code are the real modules', () => {
  assert.equal(typeof here('tar-fs').pack, 'function');
  assert.equal(here('tar-fs'), here(here.resolve('tar-fs')));
});
