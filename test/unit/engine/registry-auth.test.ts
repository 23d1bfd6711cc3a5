import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryHost } from '../../../src/image-ref.js';
import { resolveRegistryAuth, type HelperRunner } from '../../../src/engine/registry-auth.js';
import { registryError } from '../../../src/workspace/push.js';
import { UserError } from '../../../src/errors.js';

function configDir(t: import('node:test').TestContext, content: object | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tc-save-auth-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

test('registry host of a reference', () => {
  assert.equal(registryHost('127.0.0.1:5000/a/b:t'), '127.0.0.1:5000');
  assert.equal(registryHost('nvcr.io/team/x'), 'nvcr.io');
  assert.equal(registryHost('localhost/x'), 'localhost');
  assert.equal(registryHost('ubuntu:22.04'), 'docker.io');
  assert.equal(registryHost('library/ubuntu'), 'docker.io');
});

test('auths: base64 user:password, under the host or its URL forms', (t) => {
  const auth = Buffer.from('alice:s3cr:et').toString('base64');
  const dir = configDir(t, { auths: { 'https://reg.example:5000': { auth } } });
  assert.deepEqual(resolveRegistryAuth('reg.example:5000/x:1', { env: { DOCKER_CONFIG: dir } }), { username: 'alice', password: 's3cr:et', serveraddress: 'reg.example:5000' });
  assert.equal(resolveRegistryAuth('other.example/x', { env: { DOCKER_CONFIG: dir } }), undefined);
});

test('credHelpers beat credsStore beat auths; "<token>" is an identity token', (t) => {
  const calls: string[] = [];
  const run: HelperRunner = (helper, server) => {
    calls.push(`${helper} ${server}`);
    if (helper === 'none') return { ok: false, stdout: '', stderr: 'credentials not found in native keychain' };
    return { ok: true, stdout: JSON.stringify(helper === 'tok' ? { Username: '<token>', Secret: 'T' } : { Username: 'bob', Secret: 'pw' }), stderr: '' };
  };
  const dir = configDir(t, { credHelpers: { 'a.example': 'pass', 'b.example': 'tok', 'c.example': 'none' }, credsStore: 'store', auths: { 'c.example': { auth: Buffer.from('carol:x').toString('base64') } } });
  const ctx = { env: { DOCKER_CONFIG: dir }, runHelper: run };
  assert.deepEqual(resolveRegistryAuth('a.example/x', ctx), { username: 'bob', password: 'pw', serveraddress: 'a.example' });
  assert.deepEqual(resolveRegistryAuth('b.example/x', ctx), { identitytoken: 'T', serveraddress: 'b.example' });
  assert.deepEqual(resolveRegistryAuth('c.example/x', ctx), { username: 'carol', password: 'x', serveraddress: 'c.example' });
  assert.deepEqual(resolveRegistryAuth('d.example/x', ctx), { username: 'bob', password: 'pw', serveraddress: 'd.example' });
  assert.ok(calls.includes('store d.example'));
});

test('a failing helper and a broken config.json are clear errors', (t) => {
  const dir = configDir(t, { credsStore: 'broken' });
  const run: HelperRunner = () => ({ ok: false, stdout: '', stderr: 'exec: not found' });
  assert.throws(() => resolveRegistryAuth('x.example/y', { env: { DOCKER_CONFIG: dir }, runHelper: run }), /docker-credential-broken failed for x\.example: exec: not found/);
  const bad = configDir(t, '{ nope');
  assert.throws(() => resolveRegistryAuth('x.example/y', { env: { DOCKER_CONFIG: bad } }), (e: unknown) => e instanceof UserError && /config\.json: not valid JSON/.test(e.message));
  assert.equal(resolveRegistryAuth('x.example/y', { env: { DOCKER_CONFIG: join(bad, 'missing') } }), undefined);
});

test('registry failures become errors that say what to do', () => {
  const denied = registryError(new Error('push 127.0.0.1:5/x failed: unauthorized: authentication required'), '127.0.0.1:5/x:1', 'push', true) as UserError;
  assert.match(denied.message, /wrong user name or password/);
  assert.match(denied.hint ?? '', /docker login 127\.0\.0\.1:5/);
  const anon = registryError(new Error('no basic auth credentials'), '127.0.0.1:5/x:1', 'push', false) as UserError;
  assert.match(anon.message, /needs credentials/);
  const missing = registryError(new Error('pull failed: manifest unknown'), '127.0.0.1:5/x:nope', 'pull', false) as UserError;
  assert.match(missing.message, /is not in the registry/);
  const other = new Error('something else');
  assert.equal(registryError(other, 'a.b/c', 'push', false), other);
});
