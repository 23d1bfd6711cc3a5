// The Swarm backend behind the Spawner interface: a visitor's notebook is a one-replica
// service on its own overlay, placed by Swarm. The proxy reaches it at the port the task
// published in host mode on its node's address (the ingress mesh is not used: it does not
// answer on every network). Also: whether each session still runs, or was lost with its node.
import type { Engine, SwarmNode, SwarmTask } from '../../engine/index.js';
import { resolveRegistryAuth } from '../../engine/registry-auth.js';
import { EngineError, UserError } from '../../errors.js';
import type { ServeSpec } from '../config.js';
import { answers } from '../jupyter-api.js';
import type { Session } from '../session.js';
import { newIdentity } from '../spawn-plan.js';
import type { SessionStatus, Spawner } from '../spawner.js';
import { fullNodeConstraints, nodeLoads, someNodeHasRoom, type NodeLoad } from './swarm-nodes.js';
import { planSwarmService, SWARM_LABELS, visitorNetworkLabels, visitorNetworkName } from './swarm-plan.js';

const FAILED = new Set(['failed', 'rejected', 'shutdown', 'complete', 'orphaned', 'remove']);

/** The engine reached must manage a swarm: one clear line when it does not. */
export async function requireSwarmManager(engine: Engine): Promise<void> {
  const s = await engine.swarm.state();
  if (s.state === 'active' && s.isManager) return;
  throw new UserError(
    s.state === 'active'
      ? `"backend": "swarm" needs a swarm manager, and the engine at ${engine.endpoint.url} is a worker node`
      : `"backend": "swarm" needs a swarm manager, and the engine at ${engine.endpoint.url} is not in a swarm (state: ${s.state})`,
    { hint: 'point DOCKER_HOST at a manager (`docker node ls` lists them), start one with `docker swarm init`, or remove "backend" from the serve config to use this engine alone' },
  );
}

export const nodeLabel = (n: Pick<SwarmNode, 'id' | 'hostname' | 'addr'>) => `${n.hostname || '?'} (${n.id.slice(0, 12)}, ${n.addr})`;

/** Why a task did not start, naming its node, and whether the node lacks the image. */
export function taskFailure(spec: Pick<ServeSpec, 'image'>, task: SwarmTask, node: SwarmNode | undefined): UserError {
  const where = node ? `node ${nodeLabel(node)}` : task.nodeId ? `node ${task.nodeId.slice(0, 12)}` : 'no node (not placed)';
  const why = task.err || task.message || task.state;
  const noImage = /no such image|pull access denied|manifest unknown|not found|http: server gave HTTP response to HTTPS client/i.test(why);
  return new UserError(`a notebook could not start on ${where}: ${why}`, {
    hint: noImage
      ? `that node lacks ${spec.image}: push it to a registry every node pulls from (a plain-HTTP registry needs --insecure-registry on each dockerd), or send it with \`transferctl transfer\``
      : 'check the placement constraints and limits in the serve config (`docker service ps --no-trunc` shows Swarm\'s view)',
  });
}

export interface SwarmSpawner extends Spawner {
  /** Sessions and capacity per node (admin, metrics). */
  nodes(): Promise<NodeLoad[]>;
}

/** `sessions` lists the service's sessions (the per-node cap counts them). */
export function createSwarmSpawner(engine: Engine, spec: ServeSpec, command: string[], sessions: () => Session[], readyTimeoutMs = 90_000): SwarmSpawner {
  const auth = resolveRegistryAuth(spec.image);
  const perNode = spec.pool.perNode;
  // Notebooks placed on a node but not yet in the store; placement is one at a time under a
  // per-node cap, so two starts never take a node's last place together.
  const placed = new Map<string, string>(); // route → node, until the pool stores the session
  let placing: Promise<unknown> = Promise.resolve();
  const loads = async () => {
    const list = sessions();
    const stored = new Set(list.map((s) => s.route));
    const starting = new Map<string, number>();
    for (const [route, node] of placed) {
      if (stored.has(route)) placed.delete(route);
      else starting.set(node, (starting.get(node) ?? 0) + 1);
    }
    return nodeLoads(await engine.swarm.nodes(), list, perNode, starting);
  };
  const removeNetwork = async (route: string) => {
    // A service's network is free once the manager has let go of the service: retry briefly.
    for (let i = 0; i < 25; i++) {
      try {
        await engine.networks.remove(visitorNetworkName(spec.name, route));
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  const spawner: SwarmSpawner = {
    nodes: loads,
    async spawn(signal) {
      const id = newIdentity();
      const plan = planSwarmService(spec, id, command, auth);
      let release = () => {};
      let placedOn: string | undefined;
      if (perNode) {
        const before = placing;
        placing = new Promise<void>((r) => (release = r));
        await before;
        const l = await loads();
        if (!someNodeHasRoom(l, perNode)) {
          release();
          throw new UserError(`every node holds pool.per-node (${perNode}) notebooks`, { hint: 'add nodes to the swarm, or raise pool.per-node' });
        }
        plan.placement.constraints.push(...fullNodeConstraints(l, perNode));
      }
      // Not internal: a port published in host mode needs the node's gateway bridge (seen: an
      // internal overlay's task publishes no port at all).
      await engine.networks.create(plan.networks[0], { driver: 'overlay', labels: visitorNetworkLabels(spec.name, id.route) });
      let serviceId = '';
      try {
        serviceId = await engine.swarm.createService(plan);
        const started = Date.now();
        let session: Session | undefined;
        while (Date.now() - started < readyTimeoutMs) {
          if (signal?.aborted) throw signal.reason;
          if (!session) {
            const task = (await engine.swarm.tasks({ service: serviceId })).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
            if (task && FAILED.has(task.state)) {
              const node = task.nodeId ? (await engine.swarm.nodes()).find((n) => n.id === task.nodeId) : undefined;
              throw taskFailure(spec, task, node);
            }
            if (task?.nodeId && perNode && !placedOn) {
              placedOn = task.nodeId;
              placed.set(id.route, placedOn);
              release();
            }
            const port = task?.state === 'running' ? task.ports[spec.jupyter.port] : undefined;
            if (task && port) {
              const node = (await engine.swarm.nodes()).find((n) => n.id === task.nodeId);
              if (!node?.addr) throw new EngineError(`swarm node ${task.nodeId} has no address`);
              const now = Date.now();
              session = {
                route: id.route,
                token: id.token,
                containerId: serviceId,
                containerName: plan.name,
                target: { host: node.addr, port },
                hostPort: port,
                node: node.id,
                state: 'starting',
                createdAt: now,
                lastActivity: now,
              };
            }
          }
          if (session && (await answers(session, 1000))) return session;
          await new Promise((r) => setTimeout(r, 200));
        }
        throw new UserError(`the notebook service ${plan.name} did not answer within ${Math.round(readyTimeoutMs / 1000)} s`, {
          hint: '`docker service ps --no-trunc ' + plan.name + '` shows where Swarm placed it and why it is not running',
        });
      } catch (err) {
        placed.delete(id.route);
        if (serviceId) await engine.swarm.removeService(serviceId).catch(() => {});
        await removeNetwork(id.route);
        throw err;
      } finally {
        release();
      }
    },
    async remove(session) {
      placed.delete(session.route);
      await engine.swarm.removeService(session.containerId);
      if (session.route) await removeNetwork(session.route);
    },
    async assign(session, at) {
      // A service cannot be renamed: a label is the durable record that it was handed out.
      await engine.swarm.labelService(session.containerId, { [SWARM_LABELS.assigned]: String(at) });
    },
    async check(sessions) {
      const [tasks, nodes] = await Promise.all([engine.swarm.tasks(), engine.swarm.nodes()]);
      const byId = new Map(nodes.map((n) => [n.id, n]));
      const out = new Map<string, SessionStatus>();
      for (const s of sessions) out.set(s.containerId, sessionStatus(s, tasks, byId));
      return out;
    },
  };
  return spawner;
}

/** A session runs while a task of its service runs on the node it started on, and that node is up and not drained. */
export function sessionStatus(s: Pick<Session, 'containerId' | 'node'>, tasks: SwarmTask[], nodes: Map<string, SwarmNode>): SessionStatus {
  const node = s.node ? nodes.get(s.node) : undefined;
  if (!node || node.state !== 'ready' || node.availability === 'drain') return 'lost';
  const running = tasks.some((t) => t.serviceId === s.containerId && t.nodeId === s.node && t.state === 'running' && t.desiredState === 'running');
  return running ? 'running' : 'exited';
}
