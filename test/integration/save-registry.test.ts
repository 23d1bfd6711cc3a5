// push / pull through a real registry (Debian's docker-registry), without and with basic
// auth, credentials from DOCKER_CONFIG (auths and a credential helper); then restore; and
// restore / up --from of an image that is only in the registry pull it first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { credentialHelperEnv, dockerConfigDir, startRegistry } from '../helpers/registry.js';
import type { Engine } from '../../src/engine/index.js';
import { fillTree, makeWorkspace, parseJson, treeOf, type TestWorkspace } from './save-fixtures.js';
import type { UpFromResult } from '../../src/workspace/up-from.js';

const BASE = 'transferctl/debian:bookworm';

async function savedWorkspace(t: import('node:test').TestContext, engine: Engine, host: string): Promise<TestWorkspace> {
  const ws = makeWorkspace(t, engine, { repo: host, dockerfile: `FROM ${BASE}\n` });
  fillTree(ws.dir, 512 * 1024);
  const built = await runCli(['build'], { cwd: ws.dir });
  assert.equal(built.code, 0, built.stderr);
  const saved = await runCli(['--save'], { cwd: ws.dir });
  assert.equal(saved.code, 0, saved.stderr);
  return ws;
}

async function removeLocal(engine: Engine, repo: string): Promise<void> {
  for (const img of await engine.images.list()) for (const tag of img.repoTags) if (tag.startsWith(`${repo}:`)) await engine.images.remove(tag);
  assert.equal(await engine.images.inspect(`${repo}:latest`), null);
}

test('push and pull without auth; restore what was pulled', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, BASE))) return;
  const reg = await startRegistry(t);
  if (!reg) return;
  const ws = await savedWorkspace(t, engine, reg.host);
  const env = { DOCKER_CONFIG: tempDir(t, 'tc-save-nocfg-') };
  const expected = treeOf(ws.dir);

  const pushed = await runCli(['--push'], { cwd: ws.dir, env });
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.match(pushed.stdout, new RegExp(`Pushed ${ws.repo.replace(/[.]/g, '\\.')}:\\d{8}-\\d{6}, ${ws.repo.replace(/[.]/g, '\\.')}:latest`));
  await removeLocal(engine, ws.repo);

  const pulled = await runCli(['pull'], { cwd: ws.dir, env });
  assert.equal(pulled.code, 0, pulled.stderr);
  const target = join(tempDir(t, 'tc-save-pulled-'), 'w');
  const restored = await runCli(['restore', `${ws.repo}:latest`, target], { cwd: '/', env });
  assert.equal(restored.code, 0, restored.stderr);
  assert.deepEqual(treeOf(target), expected);

  const missing = await runCli(['pull', `${ws.repo}:no-such-tag`], { cwd: '/', env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no-such-tag is not in the registry/);
});

test('push and pull with basic auth: no credentials and a wrong password are clear errors; config.json and a credential helper work', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, BASE))) return;
  const reg = await startRegistry(t, { auth: { user: 'alice', password: 'correct horse' } });
  if (!reg) return;
  const ws = await savedWorkspace(t, engine, reg.host);
  const expected = treeOf(ws.dir);

  const anonymous = await runCli(['push'], { cwd: ws.dir, env: { DOCKER_CONFIG: tempDir(t, 'tc-save-nocfg-') } });
  assert.equal(anonymous.code, 1);
  assert.match(anonymous.stderr, new RegExp(`registry ${reg.host} refused .* needs credentials`));
  assert.match(anonymous.stderr, new RegExp(`docker login ${reg.host}`));

  const wrong = await runCli(['push'], { cwd: ws.dir, env: { DOCKER_CONFIG: dockerConfigDir(t, { [reg.host]: { user: 'alice', password: 'wrong' } }) } });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /wrong user name or password/);

  const right = await runCli(['push'], { cwd: ws.dir, env: { DOCKER_CONFIG: dockerConfigDir(t, { [`http://${reg.host}`]: { user: 'alice', password: 'correct horse' } }) } });
  assert.equal(right.code, 0, right.stderr);
  await removeLocal(engine, ws.repo);

  // A credential helper (the docker-credential-NAME protocol), named in credHelpers.
  const env = credentialHelperEnv(t, reg, 'alice', 'correct horse');
  const pulled = await runCli(['pull'], { cwd: ws.dir, env });
  assert.equal(pulled.code, 0, pulled.stderr);
  const target = join(tempDir(t, 'tc-save-pulled-'), 'w');
  const restored = await runCli(['restore', `${ws.repo}:latest`, target], { cwd: '/' });
  assert.equal(restored.code, 0, restored.stderr);
  assert.deepEqual(treeOf(target), expected);
});

test('restore and up --from pull a saved image that is only in the registry, with progress', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const reg = await startRegistry(t);
  if (!reg) return;
  const ws = makeWorkspace(t, engine, { repo: reg.host });
  fillTree(ws.dir, 512 * 1024);
  const env = { DOCKER_CONFIG: tempDir(t, 'tc-save-nocfg-') };
  const built = await runCli(['build'], { cwd: ws.dir });
  assert.equal(built.code, 0, built.stderr);
  const saved = await runCli(['save'], { cwd: ws.dir, env });
  assert.equal(saved.code, 0, saved.stderr);
  const expected = treeOf(ws.dir);
  const pushed = await runCli(['push'], { cwd: ws.dir, env });
  assert.equal(pushed.code, 0, pushed.stderr);
  const image = `${ws.repo}:latest`;
  const savedId = (await engine.images.inspect(image))!.id;
  await removeLocal(engine, ws.repo);

  // restore IMAGE DIR on an engine without the image: pulled first, as `docker run` does.
  const target = join(tempDir(t, 'tc-save-pulled-'), 'w');
  const restored = await runCli(['restore', image, target], { cwd: '/', env });
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stderr, /is not on this engine: pulling it/);
  assert.match(restored.stderr, /Downloaded newer image for/, "the pull's progress is shown");
  assert.equal((await engine.images.inspect(image))?.id, savedId, 'the saved image was pulled');
  assert.deepEqual(treeOf(target), expected);

  // up --from IMAGE DIR likewise: pulled, restored, started.
  await removeLocal(engine, ws.repo);
  const other = join(tempDir(t, 'tc-save-from-'), 'continued');
  const from = await runCli(['up', '--from', image, other, '--json'], { cwd: '/', env });
  assert.equal(from.code, 0, from.stderr);
  const fr = parseJson<UpFromResult>(from.stdout);
  assert.equal(fr.restored.pulled, true);
  assert.equal(fr.restored.imageId, savedId);
  assert.deepEqual(treeOf(other), expected);
  assert.equal((await engine.containers.inspect(fr.up.containerId))?.imageId, savedId, 'the workspace runs the pulled image');
  const status = await fetch(fr.up.url.replace(/\/tree\?/, '/api/status?'));
  assert.equal(status.status, 200);
});
