// A running service is found by its name; --down refuses while it runs (another process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { claimService, runningService, stopBeforeDown } from '../../../src/service/serve-lock.js';

test('a service claims its name while it runs and lets go when it stops', async () => {
  const name = `unit-${randomBytes(3).toString('hex')}`;
  assert.equal(runningService(name), undefined);
  const release = claimService(name, 'http://127.0.0.1:1');
  assert.deepEqual(runningService(name), { pid: process.pid, url: 'http://127.0.0.1:1' });
  await stopBeforeDown(name, false); // this very process: nothing to stop
  release();
  assert.equal(runningService(name), undefined);
});
