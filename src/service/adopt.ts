// A restarted service takes back what it left running: handed-out containers keep their
// routes (visitors lose nothing), healthy warm ones rejoin the pool, and only this service's
// own dead or stale containers are removed.
import type { Engine } from '../engine/index.js';
import { isManaged } from '../labels.js';
import type { ServeSpec } from './config.js';
import { answers } from './jupyter-api.js';
import { assignedAtFromName, SL } from './labels.js';
import type { Session } from './session.js';
import type { RouteStore } from './store.js';
import { chooseTarget } from './target.js';

export interface AdoptResult {
  adopted: { route: string; state: Session['state'] }[];
  removed: { name: string; why: string }[];
}

export async function adopt(engine: Engine, spec: ServeSpec, store: RouteStore): Promise<AdoptResult> {
  const result: AdoptResult = { adopted: [], removed: [] };
  const host = engine.publishHost();
  const list = await engine.containers.list({ labels: { [SL.service]: spec.name }, all: true });
  for (const c of list) {
    if (!isManaged(c.labels) || !c.labels[SL.route]) continue;
    const drop = async (why: string) => {
      await engine.containers.remove(c.id, { force: true, volumes: true });
      result.removed.push({ name: c.name, why });
    };
    const info = c.state === 'running' ? await engine.containers.inspect(c.id) : null;
    if (!info?.running) {
      await drop('not running');
      continue;
    }
    const port = info.ports[`${c.labels[SL.port] ?? spec.jupyter.port}/tcp`]?.[0]?.hostPort;
    const token = info.env.JUPYTER_TOKEN;
    if (!port || !token) {
      await drop('no published port or token');
      continue;
    }
    const assignedAt = assignedAtFromName(info.name);
    const now = Date.now();
    const published = { host, port };
    const session: Session = {
      route: c.labels[SL.route],
      token,
      containerId: c.id,
      containerName: info.name,
      target: await chooseTarget(engine, spec, c.id, published),
      hostPort: port,
      state: assignedAt ? 'assigned' : 'warm',
      createdAt: Date.parse(info.startedAt) || now,
      assignedAt,
      // A grace period: the visitor may be reconnecting right now.
      lastActivity: now,
    };
    if (!(await answers(session, 2000)) && (await answers({ ...session, target: published }, 2000))) session.target = published;
    if (session.state === 'warm' && (info.image !== spec.image || !(await answers(session, 2000)))) {
      await drop(info.image !== spec.image ? `warm container of another image (${info.image})` : 'warm container not answering');
      continue;
    }
    store.set(session);
    result.adopted.push({ route: session.route, state: session.state });
  }
  return result;
}
