// `status`: every transferctl workspace on the engine, found by its labels.
import type { Engine } from '../engine/index.js';
import { L } from '../labels.js';
import { urlFor } from './plan.js';
import type { WorkspaceSpec } from '../config/types.js';

export interface WorkspaceStatus {
  name: string;
  id: string;
  state: string;
  status: string;
  image: string;
  workspace: string;
  hostDirectory: string;
  url?: string;
  port?: number;
}

export async function listWorkspaces(engine: Engine): Promise<WorkspaceStatus[]> {
  const list = await engine.containers.list({ labels: { [L.role]: 'workspace', [L.managed]: 'true' } });
  // One inspect per workspace (the token is only in its environment), all at once.
  const details = await Promise.all(list.map((s) => engine.containers.inspect(s.id)));
  const out: WorkspaceStatus[] = [];
  for (const [i, s] of list.entries()) {
    const d = details[i];
    if (!d) continue;
    const containerPort = Number(d.labels[L.jupyterPort] ?? 8888);
    const binding = d.ports[`${containerPort}/tcp`]?.find((b) => b.hostPort > 0);
    const token = d.env.JUPYTER_TOKEN;
    const mode = (d.labels[L.jupyterMode] ?? 'lab') as WorkspaceSpec['jupyter']['mode'];
    out.push({
      name: d.name,
      id: d.id.slice(0, 12),
      state: d.running ? 'running' : d.status,
      status: s.status,
      image: d.image,
      workspace: d.labels[L.workspace] ?? '',
      hostDirectory: d.labels[L.hostDirectory] ?? '',
      port: binding?.hostPort,
      url:
        d.running && binding && token
          ? urlFor({ jupyter: { mode } } as WorkspaceSpec, binding.hostIp === '0.0.0.0' ? engine.publishHost() : binding.hostIp, binding.hostPort, token)
          : undefined,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
