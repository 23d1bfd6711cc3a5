// The host firewall rules of a service network, and finding them again by their comment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIREWALL_CHAINS, firewallRules, rulesToDelete, swarmNodeRules } from '../../../src/service/firewall-plan.js';
import { firewallProblem } from '../../../src/service/host-firewall.js';

test('the rules: nothing new from the bridge to the host, no DNAT from it, no link-local, no IPv6 at all', () => {
  const rules = firewallRules('ws', 'br-0123456789ab');
  assert.deepEqual(rules.map((r) => `${r.family}:${r.chain}`), ['4:INPUT', '4:DOCKER-USER', '4:DOCKER-USER', '6:INPUT', '6:FORWARD']);
  for (const r of rules) {
    assert.deepEqual(r.args.slice(0, 2), ['-i', 'br-0123456789ab']);
    assert.ok(r.args.join(' ').includes('--comment transferctl serve ws -j DROP'));
  }
  assert.ok(rules[0].args.join(' ').includes('! --ctstate ESTABLISHED,RELATED'), 'replies to the proxy pass');
  assert.ok(rules[2].args.includes('169.254.0.0/16'));
  for (const r of rules.filter((x) => x.family === 6)) assert.deepEqual(r.args, ['-i', 'br-0123456789ab', '-m', 'comment', '--comment', 'transferctl serve ws', '-j', 'DROP']);
  // --down looks in every chain a rule goes to.
  for (const r of rules) assert.ok(FIREWALL_CHAINS.some((c) => c.family === r.family && c.chain === r.chain));
});

test('only this service\'s rules are found for removal', () => {
  const listing = [
    '-P INPUT ACCEPT',
    '-A INPUT -i br-1 -m conntrack ! --ctstate RELATED,ESTABLISHED -m comment --comment "transferctl serve ws" -j DROP',
    '-A INPUT -i br-2 -m comment --comment "transferctl serve ws2" -j DROP',
    '-A INPUT -i eth0 -j ACCEPT',
  ].join('\n');
  assert.deepEqual(rulesToDelete(listing, 'ws'), [
    ['-D', 'INPUT', '-i', 'br-1', '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED', '-m', 'comment', '--comment', 'transferctl serve ws', '-j', 'DROP'],
  ]);
});

test('where the rules cannot go, the reason', async () => {
  assert.match((await firewallProblem({ local: false, uid: 0 }))!, /not on this machine/);
  assert.match((await firewallProblem({ local: true, uid: 1000 }))!, /not run as root/);
});

test('a swarm node\'s rules: the bridge rules on docker_gwbridge, and no new connection to any node address', () => {
  const rules = swarmNodeRules('ws', ['10.0.0.1', '10.0.0.2', '10.0.0.1', '']);
  assert.deepEqual(rules.map((r) => r.chain), ['INPUT', 'DOCKER-USER', 'DOCKER-USER', 'DOCKER-USER', 'DOCKER-USER']);
  for (const r of rules) assert.deepEqual(r.args.slice(0, 2), ['-i', 'docker_gwbridge']);
  const toNodes = rules.slice(3).map((r) => r.args.join(' '));
  assert.deepEqual(toNodes.map((a) => /-d (\S+)/.exec(a)![1]), ['10.0.0.1', '10.0.0.2'], 'each address once, none empty');
  for (const a of toNodes) assert.ok(a.includes('! --ctstate ESTABLISHED,RELATED'), 'answers to the proxy pass');
});
