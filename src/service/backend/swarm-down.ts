// `transferctl serve --down` on a swarm: remove every visitor service and overlay of this
// service, and wait until the nodes have removed their containers (a node that is down
// removes them itself when it returns: its services no longer exist).
import type { Engine } from '../../engine/index.js';
import type { ServeSpec } from '../config.js';
import { SL } from '../labels.js';

export async function swarmDown(engine: Engine, spec: ServeSpec, timeoutMs = 60_000): Promise<{ removed: string[] }> {
  const removed: string[] = [];
  const services = await engine.swarm.services({ labels: { [SL.service]: spec.name } });
  for (const s of services) {
    await engine.swarm.removeService(s.id);
    removed.push(s.name);
  }
  const ids = new Set(services.map((s) => s.id));
  const nodesUp = new Set((await engine.swarm.nodes()).filter((n) => n.state === 'ready').map((n) => n.id));
  const deadline = Date.now() + timeoutMs;
  // Tasks of removed services disappear once each live node has stopped their containers.
  while (ids.size > 0 && Date.now() < deadline) {
    const left = (await engine.swarm.tasks()).filter((t) => ids.has(t.serviceId) && nodesUp.has(t.nodeId));
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  for (const n of await engine.networks.list({ labels: [`${SL.service}=${spec.name}`] })) {
    for (let i = 0; ; i++) {
      try {
        await engine.networks.remove(n.id);
        removed.push(n.name);
        break;
      } catch (err) {
        if (i >= 40) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
  return { removed };
}
