// Which registry publish uses, and with which credentials (no engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseRegistry, registryAuth } from '../../../src/project/publish.js';
import { UserError } from '../../../src/errors.js';

test('registry: --registry, then TRANSFERCTL_REGISTRY, DOCKER_REGISTRY, then commit.repo', () => {
  assert.equal(chooseRegistry({ registry: 'https://r.example:5000/team/', env: { TRANSFERCTL_REGISTRY: 'x' } }), 'r.example:5000/team');
  assert.equal(chooseRegistry({ env: { TRANSFERCTL_REGISTRY: 'a:1', DOCKER_REGISTRY: 'b' } }), 'a:1');
  assert.equal(chooseRegistry({ env: { DOCKER_REGISTRY: 'b' }, configured: 'c' }), 'b');
  assert.equal(chooseRegistry({ env: {}, configured: 'nvcr.io/me' }), 'nvcr.io/me');
  assert.throws(() => chooseRegistry({ env: {} }), (e: unknown) => e instanceof UserError && /no registry to publish to/.test(e.message) && /--registry/.test(e.hint ?? ''));
});

test('credentials: environment first, then ~/.docker/config.json auths', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-dockercfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { 'r.example:5000': { auth: Buffer.from('ann:s3:cret').toString('base64') } } }));
  assert.deepEqual(registryAuth('r.example:5000/team', { DOCKER_CONFIG: dir }), { username: 'ann', password: 's3:cret', serveraddress: 'r.example:5000' });
  assert.deepEqual(registryAuth('r.example:5000', { DOCKER_CONFIG: dir, TRANSFERCTL_REGISTRY_USERNAME: 'bob', TRANSFERCTL_REGISTRY_PASSWORD: 'pw' }), {
    username: 'bob',
    password: 'pw',
    serveraddress: 'r.example:5000',
  });
  assert.equal(registryAuth('other:1', { DOCKER_CONFIG: dir }), undefined);
});
