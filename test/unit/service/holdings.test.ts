// One live notebook or place in line per browser; counts per address; cross-site starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Holdings } from '../../../src/service/holdings.js';
import { crossSite } from '../../../src/service/spawn-route.js';

test('a browser holds one thing at a time; ended things are forgotten', () => {
  const live = new Set(['r1', 't1']);
  const h = new Holdings({ routeLive: (r) => live.has(r), ticketLive: (t) => live.has(t) });
  h.record('b1', '10.0.0.1', { ticket: 't1' });
  assert.equal(h.of('b1')?.ticket, 't1');
  h.served('t1', 'r1');
  live.delete('t1');
  assert.equal(h.of('b1')?.route, 'r1');
  h.record('b2', '10.0.0.1', { route: 'r2' });
  assert.equal(h.countAt('10.0.0.1'), 1, 'r2 is not live');
  assert.equal(h.of('b2'), undefined);
  live.delete('r1');
  assert.equal(h.countAt('10.0.0.1'), 0);
  h.sweep();
  assert.equal(h.size, 0);
});

test('POST /spawn: same-origin or header-less only', () => {
  assert.equal(crossSite({ host: 'nb.example.org' }), false, 'scripts send neither header');
  assert.equal(crossSite({ host: 'nb.example.org', origin: 'https://nb.example.org', 'sec-fetch-site': 'same-origin' }), false);
  assert.equal(crossSite({ host: 'nb.example.org', 'sec-fetch-site': 'none' }), false);
  assert.equal(crossSite({ host: 'nb.example.org', origin: 'https://evil.example' }), true);
  assert.equal(crossSite({ host: 'nb.example.org', 'sec-fetch-site': 'cross-site' }), true);
  assert.equal(crossSite({ host: 'nb.example.org', 'sec-fetch-site': 'same-site' }), true);
  assert.equal(crossSite({ host: 'nb.example.org', origin: 'null' }), true);
});
