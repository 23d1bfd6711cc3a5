import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuntime } from '../../../../../src/workspace/environment/repo2docker/runtime.js';

test('runtime.txt forms repo2docker knows', () => {
  assert.deepEqual(parseRuntime('python-3.11\n', 'runtime.txt'), { ok: true, runtime: { name: 'python', version: '3.11' } });
  assert.deepEqual(parseRuntime('python-3', 'runtime.txt'), { ok: true, runtime: { name: 'python', version: '3' } });
  assert.deepEqual(parseRuntime('python-3.10-2023-01-01', 'runtime.txt'), { ok: true, runtime: { name: 'python', version: '3.10', date: '2023-01-01' } });
});

test('runtime.txt that cannot be honoured: R, other runtimes, nonsense — each says where and how to fix', () => {
  const r = parseRuntime('r-4.3-2024-01-15', 'binder/runtime.txt');
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /^binder\/runtime\.txt asks for R/);
    assert.match(r.hint, /remove runtime\.txt/);
  }
  for (const bad of ['julia-1.9', 'python', 'python-three', 'r-2024-13', 'python-3.11-2024-1-1']) {
    const res = parseRuntime(bad, 'runtime.txt');
    assert.equal(res.ok, false, bad);
    if (!res.ok) assert.match(res.message, /^runtime\.txt/);
  }
});
