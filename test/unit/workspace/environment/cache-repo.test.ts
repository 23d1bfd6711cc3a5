import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveWorkspace } from '../../../../src/config/load.js';
import { cacheRepo } from '../../../../src/workspace/environment/cache.js';

const spec = (raw: object) => resolveWorkspace(raw as never, { configPath: '/w/transfer.json', root: '/w' });

test('cache repository: image.cache-repo, else <commit.repo>/<image name>-env, else a local name (no registry)', () => {
  assert.deepEqual(cacheRepo(spec({ image: { name: 'an:v2', 'cache-repo': '127.0.0.1:5000/team/envs' } })), { repo: '127.0.0.1:5000/team/envs', registry: true });
  assert.deepEqual(cacheRepo(spec({ image: { name: 'an:v2' }, commit: { name: 'x', repo: 'nvcr.io/team/' } })), { repo: 'nvcr.io/team/an-env', registry: true });
  assert.deepEqual(cacheRepo(spec({ image: { name: 'reg.example:5000/team/an' }, commit: { name: 'x', repo: 'reg.example:5000' } })), { repo: 'reg.example:5000/team/an-env', registry: true });
  assert.deepEqual(cacheRepo(spec({ image: { name: 'an' } })), { repo: 'an-env', registry: false });
});
