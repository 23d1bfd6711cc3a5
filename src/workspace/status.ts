// `status`: every transferctl workspace on the engine, found by its labels.
import type { Engine } from '../engine/index.js';
import { L } from '../labels.js';
import { urlFor } from './up.js';
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
  const out: WorkspaceStatus[] = [];
  for (const s of list) {
    const d = await engine.containers.inspect(s.id);
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
