// The admin's credentials: bearer token for the API, signed session + CSRF for the page,
// same-origin checks for its forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminSessions, adminCookie, bearerOk, sameOrigin } from '../../../src/service/admin-auth.js';
import { adminPort, resolveServe } from '../../../src/service/config.js';

test('admin API: the exact bearer token only, never a cookie', () => {
  assert.ok(bearerOk({ authorization: 'Bearer s3cret' }, 's3cret'));
  assert.ok(!bearerOk({ authorization: 'Bearer s3cre' }, 's3cret'));
  assert.ok(!bearerOk({}, 's3cret'));
  assert.ok(!bearerOk({ authorization: 'Bearer ' }, 's3cret'));
  assert.ok(!bearerOk({ cookie: 'tcs_admin=s3cret' }, 's3cret'));
});

test('admin sessions: signed, expiring, bound to the token; CSRF bound to the session', () => {
  const s = new AdminSessions('tok');
  const v = s.issue(1000);
  assert.ok(!v.includes('tok'));
  const nonce = s.verify(v, 2000);
  assert.ok(nonce);
  assert.equal(s.verify(v, 1000 + 13 * 3600_000), undefined, 'expired after 12 h');
  assert.equal(new AdminSessions('other').verify(v, 2000), undefined, 'another token signs other sessions');
  assert.equal(s.verify(v.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), 2000), undefined);
  for (const bad of ['', '%', 'a.b.c', `${v}.x`, 'tok', undefined]) assert.equal(s.verify(bad, 2000), undefined);
  assert.ok(s.csrfOk(nonce!, s.csrf(nonce!)));
  assert.ok(!s.csrfOk(nonce!, s.csrf('0'.repeat(32))));
  assert.ok(!s.csrfOk(nonce!, undefined));
  assert.equal(s.fromHeaders({ cookie: 'tcs_admin=%E0%A4%A' }), undefined);
  assert.match(adminCookie(v, true), /HttpOnly; SameSite=Strict; .*Secure$/);
  assert.doesNotMatch(adminCookie(v, false), /Secure/);
});

test('admin forms: same origin only (absent headers allowed, the token decides)', () => {
  assert.ok(sameOrigin({ host: 'a:8001' }));
  assert.ok(sameOrigin({ host: 'a:8001', origin: 'http://a:8001', 'sec-fetch-site': 'same-origin' }));
  assert.ok(!sameOrigin({ host: 'a:8001', origin: 'http://a:8000' }));
  assert.ok(!sameOrigin({ host: 'a:8001', 'sec-fetch-site': 'same-site' }));
  assert.ok(!sameOrigin({ host: 'a:8001', origin: 'null' }));
});

test('the admin listens on its own port: the visitors\' + 1 unless set', () => {
  const spec = resolveServe({ image: 'i', listen: { port: 9000 } }, null);
  assert.equal(spec.adminListen.address, '127.0.0.1');
  assert.equal(adminPort(spec), 9001);
  assert.equal(adminPort({ ...spec, listen: { address: '0.0.0.0', port: 0 } }), 0);
  assert.equal(adminPort(resolveServe({ image: 'i', admin: { listen: { port: 7000, address: '10.0.0.1' } } }, null)), 7000);
});
