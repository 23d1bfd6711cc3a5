// The swarm backend's pure parts: the service plan, the Engine API body it becomes, whether a
// session still runs (or was lost with its node), the errors that name a node, the config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveServe } from '../../../../src/service/config.js';
import { newIdentity } from '../../../../src/service/spawn-plan.js';
import { SL } from '../../../../src/service/labels.js';
import { planSwarmService, visitorNetworkName } from '../../../../src/service/backend/swarm-plan.js';
import { sessionStatus, taskFailure } from '../../../../src/service/backend/swarm-spawner.js';
import { toServiceOptions, type SwarmNode, type SwarmTask } from '../../../../src/engine/swarm.js';
import { ConfigError } from '../../../../src/errors.js';
import { nodesFor } from '../../../../src/service/backend/prepare-nodes.js';
import { fullNodeConstraints, nodeGauge, nodeLoads, someNodeHasRoom } from '../../../../src/service/backend/swarm-nodes.js';

const spec = resolveServe(
  {
    name: 'ws',
    image: '10.0.0.1:5000/img:1',
    backend: 'swarm',
    placement: { constraints: ['node.labels.gpu == true'], preferences: ['spread=node.labels.zone'] },
    limits: { memory: '256m', cpus: 0.5, pids: 64 },
  },
  null,
);

test('a visitor notebook on a swarm: one service, its own overlay, a host-mode port, limits, placement, never restarted', () => {
  const id = newIdentity();
  const plan = planSwarmService(spec, id, ['jupyter-notebook']);
  assert.equal(plan.name, `tcs-ws-${id.route}`);
  assert.deepEqual(plan.networks, [visitorNetworkName('ws', id.route)]);
  assert.deepEqual(plan.hostPorts, [8888]);
  assert.deepEqual(plan.limits, { nanoCpus: 5e8, memoryBytes: 256 * 1024 ** 2, pids: 64 });
  assert.deepEqual(plan.reservations, { memoryBytes: 256 * 1024 ** 2 });
  assert.equal(plan.env.JUPYTER_TOKEN, id.token);
  assert.equal(plan.labels[SL.route], id.route);
  assert.ok(plan.command.includes(`--NotebookApp.base_url=/user/${id.route}/`));
  const body = toServiceOptions(plan) as {
    Mode: unknown;
    EndpointSpec: { Mode: string; Ports: unknown[] };
    TaskTemplate: { RestartPolicy: unknown; Placement: { Constraints: string[]; Preferences: unknown[] }; ContainerSpec: { CapabilityDrop: string[] } };
  };
  assert.deepEqual(body.Mode, { Replicated: { Replicas: 1 } });
  assert.deepEqual(body.EndpointSpec, { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 8888, PublishMode: 'host' }] }, 'no ingress mesh, no virtual IP');
  assert.deepEqual(body.TaskTemplate.RestartPolicy, { Condition: 'none' });
  assert.deepEqual(body.TaskTemplate.Placement.Constraints, ['node.labels.gpu == true']);
  assert.deepEqual(body.TaskTemplate.Placement.Preferences, [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }]);
  assert.deepEqual(body.TaskTemplate.ContainerSpec.CapabilityDrop, ['ALL']);
});

const node = (id: string, over: Partial<SwarmNode> = {}): SwarmNode => ({
  id,
  hostname: 'vm',
  addr: '10.0.0.2',
  role: 'worker',
  availability: 'active',
  state: 'ready',
  labels: {},
  nanoCpus: 2e9,
  memoryBytes: 1 << 30,
  ...over,
});
const task = (over: Partial<SwarmTask> = {}): SwarmTask => ({
  id: 't',
  serviceId: 'svc',
  nodeId: 'n1',
  state: 'running',
  desiredState: 'running',
  message: '',
  err: '',
  containerId: 'c',
  ports: { 8888: 30001 },
  updatedAt: '',
  ...over,
});

test('a session runs while its task runs on its node; a down or drained node means lost; a stopped task means exited', () => {
  const s = { containerId: 'svc', node: 'n1' };
  assert.equal(sessionStatus(s, [task()], new Map([['n1', node('n1')]])), 'running');
  assert.equal(sessionStatus(s, [task()], new Map([['n1', node('n1', { state: 'down' })]])), 'lost');
  assert.equal(sessionStatus(s, [task()], new Map([['n1', node('n1', { availability: 'drain' })]])), 'lost');
  assert.equal(sessionStatus(s, [task()], new Map()), 'lost', 'a node that left the swarm');
  assert.equal(sessionStatus(s, [task({ state: 'failed', desiredState: 'shutdown' })], new Map([['n1', node('n1')]])), 'exited');
  // Swarm replaced the task on another node: the visitor's notebook (and work) is not that one.
  assert.equal(sessionStatus(s, [task({ nodeId: 'n2' })], new Map([['n1', node('n1')], ['n2', node('n2')]])), 'exited');
});

test('a task that cannot start names its node, and says when the node lacks the image', () => {
  const err = taskFailure(spec, task({ state: 'rejected', err: 'No such image: 10.0.0.1:5000/img:1' }), node('abcdef1234567890', { addr: '10.0.0.9' }));
  assert.match(err.message, /node vm \(abcdef123456, 10\.0\.0\.9\)/);
  assert.match(err.hint ?? '', /lacks 10\.0\.0\.1:5000\/img:1.*insecure-registry/);
  const other = taskFailure(spec, task({ state: 'rejected', err: 'insufficient resources', nodeId: '' }), undefined);
  assert.match(other.message, /no node/);
  assert.doesNotMatch(other.hint ?? '', /lacks/);
});

test('serve.json: "placement" needs "backend": "swarm"; preferences are spread=…', () => {
  assert.throws(() => resolveServe({ image: 'i', placement: { constraints: ['node.role == worker'] } }, 'serve.json'), (e: Error) => e instanceof ConfigError && /backend/.test(e.message));
  assert.equal(resolveServe({ image: 'i' }, null).backend, 'engine');
  assert.deepEqual(spec.swarm, { constraints: ['node.labels.gpu == true'], preferences: ['spread=node.labels.zone'] });
});

test('pool.per-node: full nodes are kept out by a constraint; no room anywhere is known before a start', () => {
  const nodes = [node('a'), node('b'), node('c', { availability: 'drain' })];
  const sessions = [
    { node: 'a', state: 'warm' as const },
    { node: 'a', state: 'assigned' as const },
    { node: 'b', state: 'assigned' as const },
  ];
  const loads = nodeLoads(nodes, sessions, 2, new Map([['b', 1]]));
  assert.deepEqual(loads.map((l) => [l.id, l.warm, l.assigned, l.starting]), [['a', 1, 1, 0], ['b', 0, 1, 1], ['c', 0, 0, 0]]);
  assert.deepEqual(fullNodeConstraints(loads, 2), ['node.id != a', 'node.id != b']);
  assert.equal(someNodeHasRoom(loads, 2), false, 'c has room but is drained');
  assert.equal(someNodeHasRoom(loads, 3), true);
  assert.deepEqual(fullNodeConstraints(loads, undefined), []);
  assert.deepEqual(nodeGauge(sessions).sort(), [[{ node: 'a', state: 'warm' }, 1], [{ node: 'a', state: 'assigned' }, 1], [{ node: 'b', state: 'assigned' }, 1]].sort());
  assert.throws(() => resolveServe({ image: 'i', pool: { 'per-node': 2 } }, 'serve.json'), /per-node.*swarm/);
});

test('"nodes" keys name swarm nodes by ID (or a 12+ prefix), hostname or label=value', () => {
  const nodes = [node('abcdef1234567890', { hostname: 'gpu1', labels: { zone: 'a' } }), node('0123456789abcdef', { hostname: 'cpu1', labels: { zone: 'b' } })];
  const ids = (k: string) => nodesFor(k, nodes).map((n) => n.id);
  assert.deepEqual(ids('abcdef1234567890'), ['abcdef1234567890']);
  assert.deepEqual(ids('abcdef123456'), ['abcdef1234567890']);
  assert.deepEqual(ids('abcdef'), [], 'a short prefix names nothing');
  assert.deepEqual(ids('cpu1'), ['0123456789abcdef']);
  assert.deepEqual(ids('zone=b'), ['0123456789abcdef']);
  assert.deepEqual(ids('node.labels.zone=a'), ['abcdef1234567890']);
  assert.throws(() => resolveServe({ image: 'i', nodes: { a: 'ssh://u@h' } }, 'serve.json'), /nodes.*swarm/);
});

test('"internet": false is refused with "backend": "swarm" (an internal overlay cannot publish a port)', () => {
  assert.throws(() => resolveServe({ image: 'i', backend: 'swarm', network: { internet: false } }, 'serve.json'), /internet.*not available.*swarm/);
});
