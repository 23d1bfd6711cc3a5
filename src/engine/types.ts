// transferctl's own view of engine objects: callers never see dockerode's types.

export interface EngineEndpoint {
  /** How it was found: "DOCKER_HOST", "docker context foo", "default socket", … */
  source: string;
  /** unix:///path, tcp://host:port, ssh://user@host */
  url: string;
  socketPath?: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https' | 'ssh';
  tls?: { ca?: string; cert?: string; key?: string };
  username?: string;
}

export interface EngineInfo {
  serverVersion: string;
  apiVersion: string;
  os: string;
  arch: string;
  storageDriver: string;
  /** True when images live in containerd's store (Docker 29 default): partial `docker load` fails. */
  containerdSnapshotter: boolean;
  runtimes: string[];
  cgroupVersion: string;
  ncpu: number;
  memTotal: number;
  /** The engine runs without root (its security options name "rootless"). */
  rootless: boolean;
  /** Where the engine keeps images and containers (DockerRootDir), on the engine's host. */
  rootDir: string;
  /** Swarm membership of this engine: "inactive", "active", … */
  swarm: string;
}

export type Labels = Record<string, string>;

export interface PortBinding {
  hostIp: string;
  hostPort: number;
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  labels: Labels;
  created: number;
}

export interface ContainerDetails {
  id: string;
  name: string;
  image: string;
  imageId: string;
  running: boolean;
  status: string;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  labels: Labels;
  env: Record<string, string>;
  /** "8888/tcp" → bindings */
  ports: Record<string, PortBinding[]>;
  mounts: { source: string; destination: string; type: string; readOnly: boolean }[];
  user: string;
  cmd: string[];
  entrypoint: string[];
  workingDir: string;
}

export interface MountSpec {
  type: 'bind' | 'volume' | 'tmpfs';
  source?: string;
  target: string;
  readOnly?: boolean;
}

export interface ContainerCreateSpec {
  name?: string;
  image: string;
  cmd?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  labels?: Labels;
  user?: string;
  workingDir?: string;
  tty?: boolean;
  openStdin?: boolean;
  /** Close the container's stdin when the attached client closes it (`docker run -i`). */
  stdinOnce?: boolean;
  /** container port ("8888/tcp") → host binding; hostPort 0 lets the engine choose. */
  ports?: Record<string, PortBinding[]>;
  mounts?: MountSpec[];
  network?: string;
  networkAliases?: string[];
  memoryBytes?: number;
  /** Memory + swap; equal to memoryBytes means no swap. */
  memorySwapBytes?: number;
  /** A read-only root filesystem (writable only where mounts and tmpfs say). */
  readOnlyRoot?: boolean;
  /** tmpfs mounts: path → mount options ("size=64m,uid=1000,mode=0700"). */
  tmpfs?: Record<string, string>;
  nanoCpus?: number;
  pidsLimit?: number;
  shmBytes?: number;
  gpu?: { count: number } | { deviceIds: string[] };
  securityOpt?: string[];
  capDrop?: string[];
  capAdd?: string[];
  runtime?: string;
  restartPolicy?: 'no' | 'unless-stopped' | 'on-failure' | 'always';
  autoRemove?: boolean;
  extraHosts?: string[];
  init?: boolean;
  stopSignal?: string;
}

export interface ImageDetails {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  created: string;
  size: number;
  labels: Labels;
  /** diff IDs of the layers, bottom first */
  layers: string[];
  env: string[];
  cmd: string[];
  entrypoint: string[];
  user: string;
  workingDir: string;
  exposedPorts: string[];
  /** Paths the image declares as VOLUME. */
  volumes: string[];
  /** Platform of the image ("amd64", "linux"). */
  architecture?: string;
  os?: string;
  stopSignal?: string;
}

export interface ImageSummary {
  id: string;
  repoTags: string[];
  labels: Labels;
  size: number;
  created: number;
}

/** One event of a build / pull / push / load progress stream. */
export interface ProgressEvent {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { ID?: string; Tag?: string; Digest?: string; Size?: number };
  error?: string;
  errorDetail?: { message?: string; code?: number };
}

export type OnProgress = (event: ProgressEvent) => void;

export interface RegistryAuth {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
}
