// The engine facade: the only door to Docker/Podman. One factory, small per-resource APIs.
import './lazy-deps.js';
import http from 'node:http';
import Docker from 'dockerode';
import { call } from './errors.js';
import { containerApi, type ContainerApi } from './containers.js';
import { imageApi, type ImageApi } from './images.js';
import { networkApi, type NetworkApi } from './networks.js';
import { swarmApi, type SwarmApi } from './swarm.js';
import { volumeApi, type VolumeApi } from './volumes.js';
import { discoverEndpoint, parseEngineUrl } from './discovery.js';
import { sshLink, type SshLink } from './ssh-link.js';
import type { EngineEndpoint, EngineInfo } from './types.js';

export type { ContainerApi, ContainerStats } from './containers.js';
export type { ImageApi, BuildOptions, ImageHistoryEntry } from './images.js';
export type { NetworkApi } from './networks.js';
export type { SwarmApi, SwarmNode, SwarmService, SwarmState, SwarmTask, ServiceCreateSpec } from './swarm.js';
export type { VolumeApi, VolumeSummary } from './volumes.js';
export type { AttachedStdio, AttachOptions } from './attach.js';
export type { ImageConfigSpec, CommitWithConfigOptions, FsChange, FsChangeKind } from './snapshots.js';
export * from './types.js';
export { failureKind, type EngineFailureKind } from './errors.js';

export interface Engine {
  endpoint: EngineEndpoint;
  /** The engine runs on this machine (a Unix socket): its bind mounts and published ports are this machine's. */
  isLocal: boolean;
  ping(): Promise<void>;
  info(): Promise<EngineInfo>;
  containers: ContainerApi;
  images: ImageApi;
  networks: NetworkApi;
  /** Swarm nodes, services and tasks (the engine must be a swarm manager). */
  swarm: SwarmApi;
  volumes: VolumeApi;
  /** The host where published ports are reachable from here (127.0.0.1 for local engines). */
  publishHost(): string;
  /**
   * Where this machine reaches a port the engine published on its host: the port itself for
   * local and tcp engines; for ssh:// engines a port on 127.0.0.1 forwarded over the ssh
   * connection (it lasts as long as this process).
   */
  reach(hostIp: string, hostPort: number): Promise<{ host: string; port: number; forwarded: boolean }>;
}

/**
 * The HTTP agent for a Unix-socket engine: Node's global agent's settings, plus an empty TLS
 * server name. Without it, every process's first engine call has node:http decide whether the
 * Host header ("localhost") is an IP address, which compiles Node's IPv6 pattern: ~5 ms of
 * each command's start. The name is only ever used for TLS, which a socket does not speak.
 */
function socketAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5000, servername: '' } as http.AgentOptions);
}

function dockerodeFor(ep: EngineEndpoint, ssh?: SshLink): Docker {
  if (ep.socketPath) return new Docker({ socketPath: ep.socketPath, agent: socketAgent() } as Docker.DockerOptions);
  if (ssh) return new Docker({ protocol: 'http', host: ep.host, port: ep.port, agent: ssh.agent } as Docker.DockerOptions);
  return new Docker({
    host: ep.host,
    port: ep.port,
    protocol: ep.protocol,
    username: ep.username,
    ca: ep.tls?.ca,
    cert: ep.tls?.cert,
    key: ep.tls?.key,
  } as Docker.DockerOptions);
}

export function createEngine(endpoint: EngineEndpoint = discoverEndpoint()): Engine {
  const ssh = endpoint.protocol === 'ssh' ? sshLink(endpoint) : undefined;
  const docker = dockerodeFor(endpoint, ssh);
  let infoCache: Promise<EngineInfo> | undefined;
  const engine: Engine = {
    endpoint,
    isLocal: !!endpoint.socketPath,
    async ping() {
      await call(endpoint, 'ping', () => docker.ping());
    },
    info() {
      infoCache ??= call(endpoint, 'engine info', async () => {
        const [i, v] = await Promise.all([docker.info(), docker.version()]);
        const driverStatus: [string, string][] = i.DriverStatus ?? [];
        return {
          serverVersion: v.Version,
          apiVersion: v.ApiVersion,
          os: v.Os,
          arch: v.Arch,
          storageDriver: i.Driver,
          containerdSnapshotter: driverStatus.some(([k, val]) => k === 'driver-type' && /snapshotter/i.test(val)),
          runtimes: Object.keys(i.Runtimes ?? {}),
          cgroupVersion: String(i.CgroupVersion ?? ''),
          ncpu: i.NCPU,
          memTotal: i.MemTotal,
          rootless: (i.SecurityOptions ?? []).some((o: string) => /name=rootless/.test(o)),
          rootDir: i.DockerRootDir ?? '',
          swarm: String(i.Swarm?.LocalNodeState ?? 'inactive'),
        } satisfies EngineInfo;
      });
      return infoCache;
    },
    containers: containerApi(docker, endpoint),
    images: imageApi(docker, endpoint),
    networks: networkApi(docker, endpoint),
    swarm: swarmApi(docker, endpoint),
    volumes: volumeApi(docker, endpoint),
    publishHost() {
      return engine.isLocal ? '127.0.0.1' : (endpoint.host ?? '127.0.0.1');
    },
    async reach(hostIp, hostPort) {
      if (ssh) return { ...(await ssh.forward(hostPort, hostIp === '0.0.0.0' || !hostIp ? '127.0.0.1' : hostIp)), forwarded: true };
      return { host: hostIp === '0.0.0.0' || !hostIp ? engine.publishHost() : hostIp, port: hostPort, forwarded: false };
    },
  };
  return engine;
}

/** An engine at a DOCKER_HOST-style URL (for remote engines). */
export function engineAt(url: string, source = 'argument'): Engine {
  return createEngine(parseEngineUrl(url, source));
}

/** Connect and check the engine answers (one clear line if it does not). */
export async function connectEngine(endpoint?: EngineEndpoint): Promise<Engine> {
  const engine = createEngine(endpoint);
  await engine.ping();
  return engine;
}
