// dockerode's shapes → transferctl's own types.
import type Docker from 'dockerode';
import type { ContainerDetails, ContainerSummary, ImageDetails, ImageSummary, PortBinding } from './types.js';

export function envToRecord(env: string[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env ?? []) {
    const i = e.indexOf('=');
    if (i > 0) out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

export function recordToEnv(env: Record<string, string> | undefined): string[] {
  return Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`);
}

export function toSummary(c: Docker.ContainerInfo): ContainerSummary {
  return {
    id: c.Id,
    name: (c.Names?.[0] ?? '').replace(/^\//, ''),
    image: c.Image,
    state: c.State,
    status: c.Status,
    labels: c.Labels ?? {},
    created: c.Created,
  };
}

export function toDetails(c: Docker.ContainerInspectInfo): ContainerDetails {
  const ports: Record<string, PortBinding[]> = {};
  const bound = c.HostConfig?.PortBindings as Record<string, { HostIp: string; HostPort: string }[] | null> | undefined;
  const live = c.NetworkSettings?.Ports as Record<string, { HostIp: string; HostPort: string }[] | null> | undefined;
  for (const [key, list] of Object.entries({ ...(bound ?? {}), ...(live ?? {}) })) {
    if (!list) continue;
    ports[key] = list.map((b) => ({ hostIp: b.HostIp || '0.0.0.0', hostPort: Number(b.HostPort) }));
  }
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    image: c.Config.Image,
    imageId: c.Image,
    running: c.State.Running,
    status: c.State.Status,
    exitCode: c.State.ExitCode,
    startedAt: c.State.StartedAt,
    finishedAt: c.State.FinishedAt,
    labels: c.Config.Labels ?? {},
    env: envToRecord(c.Config.Env),
    ports,
    mounts: (c.Mounts ?? []).map((m) => ({
      source: m.Source,
      destination: m.Destination,
      type: m.Type,
      readOnly: !m.RW,
    })),
    user: c.Config.User ?? '',
    cmd: (c.Config.Cmd as string[] | null) ?? [],
    entrypoint: ((c.Config.Entrypoint as string[] | string | null) ? [c.Config.Entrypoint].flat() : []) as string[],
    workingDir: c.Config.WorkingDir ?? '',
  };
}

export function toImageDetails(i: Docker.ImageInspectInfo): ImageDetails {
  const cfg = i.Config ?? ({} as Docker.ImageInspectInfo['Config']);
  return {
    id: i.Id,
    repoTags: i.RepoTags ?? [],
    repoDigests: i.RepoDigests ?? [],
    created: i.Created,
    size: i.Size,
    labels: (cfg.Labels as Record<string, string> | null) ?? {},
    layers: i.RootFS?.Layers ?? [],
    env: cfg.Env ?? [],
    cmd: (cfg.Cmd as string[] | null) ?? [],
    entrypoint: ((cfg.Entrypoint as unknown as string[] | string | null) ? [cfg.Entrypoint].flat() : []) as string[],
    user: cfg.User ?? '',
    workingDir: cfg.WorkingDir ?? '',
    exposedPorts: Object.keys(cfg.ExposedPorts ?? {}),
    volumes: Object.keys(cfg.Volumes ?? {}),
    architecture: i.Architecture,
    os: i.Os,
    stopSignal: (cfg as { StopSignal?: string }).StopSignal || undefined,
  };
}

export function toImageSummary(i: Docker.ImageInfo): ImageSummary {
  return { id: i.Id, repoTags: i.RepoTags ?? [], labels: i.Labels ?? {}, size: i.Size, created: i.Created };
}
