// The prebuilt-environment decisions (found, pulled, built and why, pushed) against an engine
// seam that holds images in a map and a "registry" in another.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { Engine } from '../../../../src/engine/index.js';
import { EngineError } from '../../../../src/errors.js';
import { resolveWorkspace } from '../../../../src/config/load.js';
import { buildInput } from '../../../../src/workspace/environment/build-input.js';
import { detectEnvironment } from '../../../../src/workspace/environment/source.js';
import { environmentImage, type CacheRequest } from '../../../../src/workspace/environment/cache.js';
import { tempDir } from '../../../helpers/tmp.js';

const BASE = 'transferctl/jupyter:bookworm';

function world(registry: Set<string> = new Set(), opts: { registryDown?: boolean } = {}) {
  const local = new Map<string, string>([[BASE, 'sha256:base']]);
  const calls: string[] = [];
  const engine = {
    images: {
      inspect: async (ref: string) => (local.has(ref) ? { id: local.get(ref) } : null),
      pull: async (ref: string) => {
        calls.push(`pull ${ref}`);
        if (opts.registryDown) throw new EngineError(`pull ${ref}: dial tcp: connection refused`, { kind: 'registry-unreachable' });
        if (!registry.has(ref)) throw new EngineError(`pull ${ref}: manifest unknown`, { kind: 'not-found' });
        local.set(ref, 'sha256:pulled');
      },
      push: async (ref: string) => {
        calls.push(`push ${ref}`);
        registry.add(ref);
      },
      tag: async (id: string, repo: string, tag: string) => void local.set(`${repo}:${tag}`, id),
    },
  } as unknown as Engine;
  const build = async (tags: string[]) => {
    calls.push(`build ${tags.join(',')}`);
    for (const t of tags) local.set(t, 'sha256:built');
    return 'sha256:built';
  };
  return { engine, build, calls, local, registry };
}

async function run(t: TestContext, w: ReturnType<typeof world>, image: object, req: CacheRequest = {}) {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'requirements.txt'), '# none\n');
  const spec = resolveWorkspace({ image: { name: 'ws', base: BASE, ...image } }, { configPath: join(dir, 'transfer.json'), root: dir });
  const input = await buildInput(w.engine, spec, detectEnvironment(spec), {});
  return environmentImage(w.engine, spec, input, w.build, { ...req, auth: { env: { DOCKER_CONFIG: dir }, home: dir } });
}

const REPO = '127.0.0.1:5000/team/env';

test('no registry configured: built, hash-tagged locally, and it says why; the next time it is found', async (t) => {
  const w = world();
  const first = await run(t, w, {});
  assert.equal(first.cache, 'built');
  assert.match(first.hashTag!, /^ws-env:env-[0-9a-f]{12}$/);
  assert.match(first.why!, /no registry configured/);
  assert.deepEqual(w.calls, [`build ${first.hashTag}`]);
  const second = await run(t, w, {});
  assert.deepEqual([second.cache, second.hashTag, second.why], ['local', first.hashTag, undefined]);
  assert.equal(w.calls.length, 1, 'nothing built or pulled the second time');
});

test('a registry without the tag: pull tried, built, --push-cache pushes; another engine then pulls', async (t) => {
  const a = world();
  const built = await run(t, a, { 'cache-repo': REPO }, { pushCache: true });
  assert.equal(built.cache, 'built');
  assert.match(built.why!, /not in 127\.0\.0\.1:5000\/team\/env yet/);
  assert.equal(built.pushed, built.hashTag);
  assert.deepEqual(a.calls, [`pull ${built.hashTag}`, `build ${built.hashTag}`, `push ${built.hashTag}`]);
  const b = world(a.registry);
  const pulled = await run(t, b, { 'cache-repo': REPO });
  assert.deepEqual([pulled.cache, pulled.hashTag, pulled.imageId], ['pulled', built.hashTag, 'sha256:pulled']);
  assert.deepEqual(b.calls, [`pull ${built.hashTag}`]);
});

test('--offline, --no-cache, --pull and an unreachable registry build and say why', async (t) => {
  const offline = world();
  assert.equal((await run(t, offline, { 'cache-repo': REPO }, { offline: true })).why, '--offline');
  assert.ok(!offline.calls.some((c) => c.startsWith('pull')), '--offline never contacts the registry');
  const noCache = world();
  const r = await run(t, noCache, { 'cache-repo': REPO }, { noCache: true });
  assert.deepEqual([r.cache, r.why], ['built', '--no-cache']);
  assert.match(r.hashTag!, /:env-/, 'tagged after the build');
  assert.match((await run(t, world(), { 'cache-repo': REPO }, { pull: true })).why!, /^--pull: the base transferctl\/jupyter:bookworm: not in/);
  assert.match((await run(t, world(new Set(), { registryDown: true }), { 'cache-repo': REPO })).why!, /cannot be reached/);
});

test('--push-cache with no registry to push to is a usage error before anything is built', async (t) => {
  const w = world();
  await assert.rejects(run(t, w, {}, { pushCache: true }), /--push-cache: no registry/);
  assert.deepEqual(w.calls, []);
});

test('--pull (image.pull) pulls the bases first, then uses the cache for the newest base: a second engine pulls, building nothing', async (t) => {
  const registry = new Set([BASE]);
  const a = world(registry);
  const built = await run(t, a, { 'cache-repo': REPO, pull: true }, { pushCache: true });
  assert.equal(built.cache, 'built');
  assert.deepEqual(a.calls, [`pull ${BASE}`, `pull ${built.hashTag}`, `build ${built.hashTag}`, `push ${built.hashTag}`]);
  const b = world(registry);
  const pulled = await run(t, b, { 'cache-repo': REPO, pull: true });
  assert.deepEqual([pulled.cache, pulled.hashTag], ['pulled', built.hashTag]);
  assert.deepEqual(b.calls, [`pull ${BASE}`, `pull ${built.hashTag}`]);
  // A base the registry no longer matches (an older one here): another hash, so built.
  const c = world(new Set([REPO + ':unrelated']));
  const stale = await run(t, c, { 'cache-repo': REPO }, {});
  assert.notEqual(stale.hashTag, built.hashTag, 'the base ID is part of the hash');
});
