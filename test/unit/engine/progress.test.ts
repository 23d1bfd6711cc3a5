import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { followProgress } from '../../../src/engine/progress.js';
import { EngineError } from '../../../src/errors.js';

test('an errorDetail inside a 200 stream is a failure', async () => {
  const stream = Readable.from(['{"stream":"Step 1/2 : FROM x\\n"}\n', '{"errorDetail":{"message":"pull access denied"},"error":"pull access denied"}\n']);
  await assert.rejects(followProgress(stream, () => {}, 'build'), (e: unknown) => e instanceof EngineError && e.message === 'build failed: pull access denied');
});

test('events split across chunks are parsed whole', async () => {
  const stream = Readable.from(['{"stat', 'us":"Loaded"}\n{"aux":{"ID":"sha256:1"}}', '\n']);
  const events = await followProgress(stream);
  assert.deepEqual(events, [{ status: 'Loaded' }, { aux: { ID: 'sha256:1' } }]);
});
