import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadServeConfig, resolveServe } from '../../../src/service/config.js';
import { serveJsonSchema } from '../../../src/service/config-schema.js';
import { ConfigError, UserError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/tmp.js';

function write(t: import('node:test').TestContext, text: string): string {
  const dir = tempDir(t, 'tcs-unit-');
  const file = join(dir, 'serve.json');
  writeFileSync(file, text);
  return file;
}

test('a minimal serve.json gets safe defaults', (t) => {
  const spec = loadServeConfig(write(t, '{ "image": "my-workshop" }'));
  assert.equal(spec.name, 'workshop');
  assert.equal(spec.listen.address, '127.0.0.1');
  assert.deepEqual(spec.pool, { size: 3, capacity: 20, parallelStarts: 2, queue: 40, perAddress: undefined, startsPerMinute: 300 });
  assert.equal(spec.limits.memoryBytes, 1024 ** 3);
  assert.equal(spec.limits.nanoCpus, 1e9);
  assert.equal(spec.limits.pids, 256);
  assert.equal(spec.user, '1000:100');
  assert.equal(spec.cull.idleMs, 600_000);
  assert.equal(spec.internet, true);
});

test('comments, trailing commas and every section resolve', (t) => {
  const spec = loadServeConfig(
    write(
      t,
      `{
  // a workshop
  "name": "ws-1", "image": "transferctl/jupyter:bookworm",
  "listen": { "address": "0.0.0.0", "port": 0 },
  "pool": { "size": 2, "capacity": 4 },
  "limits": { "memory": "512m", "cpus": 0.5, "pids": 100 },
  "cull": { "idle": 2, "max-age": 60, "interval": 0.5 },
  "jupyter": { "path": "/tree", "args": ["--x"] },
  "network": { "internet": false },
}`,
    ),
  );
  assert.equal(spec.limits.memoryBytes, 512 * 1024 ** 2);
  assert.equal(spec.limits.nanoCpus, 5e8);
  assert.equal(spec.cull.intervalMs, 500);
  assert.equal(spec.jupyter.path, 'tree');
  assert.equal(spec.internet, false);
});

test('a misspelt key is reported at file:line:col with a suggestion', (t) => {
  const file = write(t, '{\n  "image": "x",\n  "pool": { "sise": 2 }\n}');
  assert.throws(
    () => loadServeConfig(file),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, new RegExp(`${file.replace(/[.]/g, '\\.')}:3:13: unknown key "pool.sise" — did you mean "size"\\?`));
      return true;
    },
  );
});

test('a wrong type and a missing image say which field', (t) => {
  assert.throws(() => loadServeConfig(write(t, '{ "image": "x", "pool": { "size": "3" } }')), /pool\.size: expected number, got string/);
  assert.throws(() => loadServeConfig(write(t, '{ "name": "w" }')), /image: expected string, got nothing/);
  assert.throws(() => loadServeConfig(write(t, '{ "image": "x", "name": "Bad Name" }')), /name: the service name uses lowercase/);
});

test('a pool larger than the capacity is refused with a hint', () => {
  assert.throws(
    () => resolveServe({ image: 'x', pool: { size: 5, capacity: 2 } }, '/w/serve.json'),
    (err: unknown) => err instanceof ConfigError && /pool.size \(5\) is larger than pool.capacity \(2\)/.test(err.message) && !!err.hint,
  );
});

test('a missing config file is a user error with a hint', () => {
  assert.throws(
    () => loadServeConfig('/nonexistent/serve.json'),
    (err: unknown) => err instanceof UserError && /serve config not found/.test(err.message) && /image/.test(err.hint ?? ''),
  );
});

test('the JSON Schema describes the sections', () => {
  const s = serveJsonSchema() as { properties: Record<string, unknown>; required: string[] };
  assert.ok(s.properties.pool && s.properties.cull && s.properties.limits);
  assert.deepEqual(s.required, ['image']);
});

test('a syntax error is located, with a hint about serve.json', (t) => {
  const file = write(t, '{ "image": "x", "pool": { "size": 2, }\n  "cull": {} }');
  assert.throws(
    () => loadServeConfig(file),
    (err: unknown) => err instanceof ConfigError && err.line === 2 && err.column === 3 && /expected a ','/.test(err.message) && /serve\.json is JSON/.test(err.hint ?? ''),
  );
});
