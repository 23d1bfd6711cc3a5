// How many containers the pool starts now (refill-policy.ts): plain numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startsNow, type RefillState } from '../../../src/service/refill-policy.js';

const full: RefillState = { size: 10, capacity: 30, parallelStarts: 2, warm: 10, assigned: 0, starting: 0, waiting: 0 };

test('a full pool with nobody waiting starts nothing', () => {
  assert.equal(startsNow(full), 0);
  assert.equal(startsNow({ ...full, warm: 12 }), 0);
});

test('an empty pool starts parallel-starts containers at a time', () => {
  assert.equal(startsNow({ ...full, warm: 0 }), 2);
  assert.equal(startsNow({ ...full, warm: 0, starting: 1 }), 1);
  assert.equal(startsNow({ ...full, warm: 0, starting: 2 }), 0);
});

test('the waiting line asks for containers beyond the pool size, within capacity', () => {
  assert.equal(startsNow({ ...full, parallelStarts: 50, warm: 0, assigned: 10, waiting: 10 }), 20);
  assert.equal(startsNow({ ...full, parallelStarts: 50, capacity: 25, warm: 0, assigned: 10, waiting: 10 }), 15);
  assert.equal(startsNow({ ...full, parallelStarts: 50, capacity: 20, warm: 0, assigned: 20, waiting: 10 }), 0);
});

test('containers already starting count toward what is wanted', () => {
  assert.equal(startsNow({ ...full, parallelStarts: 50, warm: 7, starting: 2 }), 1);
  assert.equal(startsNow({ ...full, parallelStarts: 50, warm: 0, waiting: 3, starting: 13 }), 0);
});
