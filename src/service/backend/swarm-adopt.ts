// A restarted service on a swarm takes back its visitors' services (from any node, and from
// a new container when serve itself runs as a swarm service): handed-out ones keep their
// routes, healthy warm ones rejoin the pool; services with no running task are removed.
import type { Engine } from '../../engine/index.js';
import type { AdoptResult } from '../adopt.js';
import type { ServeSpec } from '../config.js';
import { answers } from '../jupyter-api.js';
import { SL } from '../labels.js';
import type { Session } from '../session.js';
import type { Spawner } from '../spawner.js';
import type { RouteStore } from '../store.js';
import { SWARM_LABELS } from './swarm-plan.js';

export async function adoptSwarm(engine: Engine, spec: ServeSpec, store: RouteStore, spawner: Spawner): Promise<AdoptResult> {
  const result: AdoptResult = { adopted: [], removed: [] };
  const services = await engine.swarm.services({ labels: { [SL.service]: spec.name } });
  if (services.length === 0) return result;
  const [tasks, nodes] = await Promise.all([engine.swarm.tasks(), engine.swarm.nodes()]);
  for (const svc of services) {
    const route = svc.labels[SL.route];
    if (!route) continue;
    const drop = async (why: string) => {
      await spawner.remove({ containerId: svc.id, route });
      result.removed.push({ name: svc.name, why });
    };
    const task = tasks.find((t) => t.serviceId === svc.id && t.state === 'running' && t.desiredState === 'running');
    const node = task && nodes.find((n) => n.id === task.nodeId && n.state === 'ready' && n.availability !== 'drain');
    const port = task?.ports[Number(svc.labels[SL.port]) || spec.jupyter.port];
    const token = svc.env.JUPYTER_TOKEN;
    if (!task || !node || !port || !token) {
      await drop(!task || !node ? 'no running task on a ready node' : 'no published port or token');
      continue;
    }
    const assignedAt = Number(svc.labels[SWARM_LABELS.assigned]) || undefined;
    const now = Date.now();
    const session: Session = {
      route,
      token,
      containerId: svc.id,
      containerName: svc.name,
      target: { host: node.addr, port },
      hostPort: port,
      node: node.id,
      state: assignedAt ? 'assigned' : 'warm',
      createdAt: Date.parse(svc.createdAt) || now,
      assignedAt,
      // A grace period: the visitor may be reconnecting right now.
      lastActivity: now,
    };
    if (session.state === 'warm' && (svc.image !== spec.image || !(await answers(session, 2000)))) {
      await drop(svc.image !== spec.image ? `warm notebook of another image (${svc.image})` : 'warm notebook not answering');
      continue;
    }
    store.set(session);
    result.adopted.push({ route, state: session.state });
  }
  return result;
}
