// The in-memory route store: activity is recorded through touch, and only ever moves forward.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../../src/service/session.js';
import { MemoryStore } from '../../../src/service/store.js';

const session = (route: string): Session => ({
  route, token: 't', containerId: 'c', containerName: 'n', target: { host: '127.0.0.1', port: 1 }, hostPort: 1,
  state: 'assigned', createdAt: 0, lastActivity: 100,
});

test('touch records activity on the stored route, never moves it back, and ignores unknown routes', () => {
  const store = new MemoryStore();
  store.set(session('r'));
  store.touch('r', 200);
  assert.equal(store.get('r')!.lastActivity, 200);
  store.touch('r', 150);
  assert.equal(store.get('r')!.lastActivity, 200, 'an older report does not rewind');
  store.touch('gone', 300);
  assert.equal(store.get('gone'), undefined);
});
