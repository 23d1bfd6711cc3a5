// Which swarm nodes serve can fence in, and the refusal (before any rule) when one has no way in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Engine, SwarmNode } from '../../../src/engine/index.js';
import { resolveServe } from '../../../src/service/config.js';
import { fenceSwarm, nodeFirewalls } from '../../../src/service/backend/swarm-firewall.js';

const node = (id: string, hostname: string, labels: Record<string, string>, addr: string) => ({ id, hostname, labels, addr, state: 'ready', availability: 'active' }) as unknown as SwarmNode;
const nodes = [node('m'.repeat(25), 'manager', { 'tc-rig': 'manager' }, '10.0.0.1'), node('w'.repeat(25), 'worker', { 'tc-rig': 'worker' }, '10.0.0.2')];
const engineOf = (isLocal: boolean) => ({ isLocal, swarm: { nodes: async () => nodes, state: async () => ({ state: 'active', nodeId: nodes[0].id, isManager: true }) } }) as unknown as Engine;
const spec = (extra: object = {}) => resolveServe({ name: 'fw', image: 'x', backend: 'swarm', ...extra }, null);

test('the manager is fenced here (local engine, root); a node with a "nodes" entry over ssh; others are named', async () => {
  const r = await nodeFirewalls(engineOf(true), spec({ nodes: { 'tc-rig=worker': 'root@10.0.0.2' } }), {}, 0);
  assert.deepEqual(r.nodes.map((n) => n.via), ['here', 'root@10.0.0.2']);
  assert.deepEqual(r.unreachable, []);
  const remote = await nodeFirewalls(engineOf(false), spec(), {}, 0);
  assert.equal(remote.nodes.length, 0, 'a remote manager is not this machine');
  assert.equal(remote.unreachable.length, 2);
});

test('a node with no way in: serve refuses, naming it and the way out, before any rule is applied', async () => {
  await assert.rejects(fenceSwarm(engineOf(false), spec(), {}, () => assert.fail('nothing may be applied')), (err: Error) => {
    assert.match(err.message, /cannot fence in its visitors on every swarm node/);
    assert.match(err.message, /worker/);
    assert.match((err as Error & { hint?: string }).hint ?? '', /"host-firewall": false/);
    return true;
  });
});
