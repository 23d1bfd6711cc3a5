import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkspace, findConfig } from '../../../src/config/load.js';
import { ConfigError, UserError } from '../../../src/errors.js';
import { transferJsonSchema } from '../../../src/config/json-schema.js';
import { closest } from '../../../src/config/suggest.js';
import { parseSize } from '../../../src/config/size.js';

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tc-unit-'));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const SEED_000 = `{
    "container": {
        "name": "transfer-default-notebook"

    },

    "image" : {
        "name" : "transfer-defaul-image"
    },

    "volume": {
        "mount-point" : "/tf",
        "host-directory" : "."
    },

    "commit": {
        "name": "bare-notebook-latest",
        "repo": "nvcr.io"
    },

}`;

test("seed 000's config loads as written (trailing comma included)", () => {
  const dir = folder({ 'transfer-control.json': SEED_000 });
  const spec = loadWorkspace({ cwd: dir });
  assert.equal(spec.containerName, 'transfer-default-notebook');
  assert.equal(spec.image.name, 'transfer-defaul-image');
  assert.equal(spec.volume.mountPoint, '/tf');
  assert.equal(spec.volume.hostDir, dir);
  assert.deepEqual(spec.commit, { name: 'bare-notebook-latest', repo: 'nvcr.io' });
  assert.equal(spec.image.dockerfile, null, 'no Dockerfile: the built-in one is used');
  assert.equal(spec.identity, join(dir, 'transfer-control.json'));
  assert.equal(spec.publish.address, '127.0.0.1');
  assert.equal(spec.jupyter.mode, 'lab');
});

test('transfer.json wins over transfer-control.json; an explicit path wins over both', () => {
  const dir = folder({ 'transfer.json': '{}', 'transfer-control.json': '{}', 'other.json': '{}' });
  assert.equal(findConfig(dir), join(dir, 'transfer.json'));
  assert.equal(findConfig(dir, 'other.json'), join(dir, 'other.json'));
});

test('comments are allowed', () => {
  const dir = folder({ 'transfer.json': '// my workspace\n{ /* port */ "publish": { "port": 9999 } }' });
  assert.equal(loadWorkspace({ cwd: dir }).publish.port, 9999);
});

test('a syntax error names file:line:col and what was expected', () => {
  const dir = folder({ 'transfer.json': '{\n  "image": { "name": "x" }\n  "volume": {}\n}' });
  assert.throws(
    () => loadWorkspace({ cwd: dir }),
    (e: unknown) => e instanceof ConfigError && /transfer\.json:3:3: syntax error: expected a ',' between entries/.test(e.message),
  );
});

test('an unknown key is an error with "did you mean" and its location', () => {
  const dir = folder({ 'transfer.json': '{\n  "volume": {\n    "mount_point": "/tf"\n  }\n}' });
  assert.throws(
    () => loadWorkspace({ cwd: dir }),
    (e: unknown) =>
      e instanceof ConfigError && e.message.includes('transfer.json:3:5') && e.message.includes('unknown key "volume.mount_point"') && e.message.includes('did you mean "mount-point"'),
  );
});

test('a wrong type names the field, the expected type and the location', () => {
  const dir = folder({ 'transfer.json': '{ "publish": { "port": "8888" } }' });
  assert.throws(
    () => loadWorkspace({ cwd: dir }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /transfer\.json:1:24: publish\.port: expected number, got string/.test(e.message) &&
      // the hint says what the field is for, from the schema
      e.hint === 'publish.port: Host port. When set it is fixed (an error if taken); unset: 8888 or the next free one.',
  );
});

test('a missing host folder is an error when the command mounts it', () => {
  const dir = folder({ 'transfer.json': '{ "volume": { "host-directory": "nope" } }' });
  assert.doesNotThrow(() => loadWorkspace({ cwd: dir }));
  assert.throws(
    () => loadWorkspace({ cwd: dir, needHostDir: true }),
    (e: unknown) => e instanceof ConfigError && e.message.includes('volume.host-directory') && e.message.includes('does not exist') && /:1:\d+/.test(e.message),
  );
});

test('a missing explicit config is a clear error', () => {
  assert.throws(() => loadWorkspace({ cwd: tmpdir(), config: 'missing-config.json' }), (e: unknown) => e instanceof UserError && /config file not found/.test(e.message));
});

test('zero-config: defaults from the folder, stable across runs', () => {
  const dir = folder({});
  const a = loadWorkspace({ cwd: dir });
  const b = loadWorkspace({ cwd: dir });
  assert.equal(a.configPath, null);
  assert.equal(a.containerName, b.containerName);
  assert.match(a.containerName, /^tc-tc-unit-[a-z0-9-]+-[0-9a-f]{6}$/);
  assert.equal(a.volume.hostDir, dir);
  assert.equal(a.volume.mountPoint, '/home/jovyan/work');
  assert.equal(a.publish.port, undefined, 'no fixed port: the next free one is taken');
});

test('optional keys resolve: resources, gpu, env, jupyter, dockerfile', () => {
  const dir = folder({
    'transfer.json': JSON.stringify({
      resources: { memory: '2g', cpus: 1.5, 'shm-size': '512m' },
      gpu: 'all',
      environment: { A: '1' },
      jupyter: { mode: 'notebook', port: 9000, args: ['--debug'] },
      image: { name: 'x', dockerfile: 'env/Dockerfile', 'build-args': { PY: '3.12' } },
      'user-mapping': false,
      'ssh-agent': true,
    }),
  });
  mkdirSync(join(dir, 'env'));
  writeFileSync(join(dir, 'env', 'Dockerfile'), 'FROM scratch\n');
  const s = loadWorkspace({ cwd: dir });
  assert.equal(s.resources.memoryBytes, 2 * 1024 ** 3);
  assert.equal(s.resources.nanoCpus, 1.5e9);
  assert.equal(s.resources.shmBytes, 512 * 1024 ** 2);
  assert.deepEqual(s.gpu, { count: -1 });
  assert.equal(s.image.dockerfile, join(dir, 'env', 'Dockerfile'));
  assert.equal(s.image.context, join(dir, 'env'));
  assert.equal(s.userMapping, false);
  assert.equal(s.sshAgent, true);
  assert.equal(s.jupyter.port, 9000);
});

test('the published JSON Schema matches the zod schema (run `npm run schema` after changing it)', () => {
  const published = JSON.parse(readFileSync(new URL('../../../schema/transfer.schema.json', import.meta.url), 'utf8'));
  assert.deepEqual(published, JSON.parse(JSON.stringify(transferJsonSchema())));
});

test('suggestions and sizes', () => {
  assert.equal(closest('contianer', ['container', 'image']), 'container');
  assert.equal(closest('zzzzzz', ['container', 'image']), undefined);
  assert.equal(parseSize('4g'), 4 * 1024 ** 3);
  assert.equal(parseSize('512MiB'), 512 * 1024 ** 2);
});
