// Named volumes, through the Engine API.
import type Docker from 'dockerode';
import { call, callOrNull } from './errors.js';
import type { EngineEndpoint, Labels } from './types.js';

export interface VolumeSummary {
  name: string;
  labels: Labels;
}

export interface VolumeApi {
  list(filter?: { labels?: string[] }): Promise<VolumeSummary[]>;
  create(name: string, labels?: Labels): Promise<void>;
  /** Remove a volume; false when the engine refuses because a container uses it (or it is gone). */
  remove(name: string): Promise<boolean>;
}

export function volumeApi(docker: Docker, ep: EngineEndpoint): VolumeApi {
  return {
    async list(filter = {}) {
      const filters: Record<string, string[]> = {};
      if (filter.labels) filters.label = filter.labels;
      const res = await call(ep, 'list volumes', () => docker.listVolumes({ filters }));
      return (res.Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels ?? {} }));
    },
    async create(name, labels) {
      await call(ep, `create volume ${name}`, () => docker.createVolume({ Name: name, Labels: labels }));
    },
    async remove(name) {
      try {
        await callOrNull(ep, `remove volume ${name}`, () => docker.getVolume(name).remove());
        return true;
      } catch {
        return false;
      }
    },
  };
}
