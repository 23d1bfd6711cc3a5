// Docker Swarm through the Engine API: the swarm's state, its nodes, services and tasks.
// Callers see transferctl's own types (below), never dockerode's.
import type Docker from 'dockerode';
import { call, callOrNull } from './errors.js';
import type { EngineEndpoint, Labels, RegistryAuth } from './types.js';

export interface SwarmState {
  /** "inactive", "active", "pending", "error", "locked" */
  state: string;
  nodeId: string;
  isManager: boolean;
}

export interface SwarmNode {
  id: string;
  hostname: string;
  /** The address other nodes (and this process) reach the node at. */
  addr: string;
  role: 'manager' | 'worker';
  availability: 'active' | 'pause' | 'drain';
  /** "ready", "down", "unknown", "disconnected" */
  state: string;
  labels: Labels;
  nanoCpus: number;
  memoryBytes: number;
}

export interface ServiceCreateSpec {
  name: string;
  image: string;
  /** The command (replaces the image's entrypoint and command, like `docker service create IMAGE CMD…`). */
  command: string[];
  env: Record<string, string>;
  /** Labels of the service (updatable) and of its containers. */
  labels: Labels;
  containerLabels: Labels;
  user?: string;
  networks: string[];
  /** Ports published in host mode on the node that runs the task; the engine picks the node port. */
  hostPorts: number[];
  limits: { nanoCpus?: number; memoryBytes?: number; pids?: number };
  reservations: { nanoCpus?: number; memoryBytes?: number };
  placement: { constraints: string[]; preferences: string[] };
  capDrop?: string[];
  init?: boolean;
  /** Credentials the nodes pull the image with (sent as the service's registry auth). */
  auth?: RegistryAuth;
}

export interface SwarmService {
  id: string;
  name: string;
  labels: Labels;
  image: string;
  env: Record<string, string>;
  createdAt: string;
}

export interface SwarmTask {
  id: string;
  serviceId: string;
  nodeId: string;
  /** "new", "pending", "assigned", "preparing", "starting", "running", "complete", "failed", "rejected", "shutdown", "orphaned" */
  state: string;
  desiredState: string;
  message: string;
  err: string;
  containerId: string;
  /** target port → published port on the task's node */
  ports: Record<number, number>;
  updatedAt: string;
}

export interface SwarmApi {
  state(): Promise<SwarmState>;
  nodes(): Promise<SwarmNode[]>;
  services(filter?: { labels?: Labels }): Promise<SwarmService[]>;
  createService(spec: ServiceCreateSpec): Promise<string>;
  /** Add labels to a service (its tasks keep running). */
  labelService(id: string, labels: Labels): Promise<void>;
  removeService(id: string): Promise<void>;
  tasks(filter?: { service?: string; labels?: Labels }): Promise<SwarmTask[]>;
}

interface RawNode {
  ID: string;
  Spec?: { Role?: string; Availability?: string; Labels?: Labels };
  Description?: { Hostname?: string; Resources?: { NanoCPUs?: number; MemoryBytes?: number } };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Addr?: string };
}

function toNode(n: RawNode): SwarmNode {
  // A manager's Status.Addr can read 0.0.0.0 or 127.0.0.1; its ManagerStatus.Addr has the advertised one.
  let addr = n.Status?.Addr ?? '';
  if ((!addr || addr === '0.0.0.0' || addr.startsWith('127.')) && n.ManagerStatus?.Addr) addr = n.ManagerStatus.Addr.replace(/:\d+$/, '');
  return {
    id: n.ID,
    hostname: n.Description?.Hostname ?? '',
    addr,
    role: n.Spec?.Role === 'manager' ? 'manager' : 'worker',
    availability: (n.Spec?.Availability ?? 'active') as SwarmNode['availability'],
    state: n.Status?.State ?? 'unknown',
    labels: n.Spec?.Labels ?? {},
    nanoCpus: n.Description?.Resources?.NanoCPUs ?? 0,
    memoryBytes: n.Description?.Resources?.MemoryBytes ?? 0,
  };
}

const envToRecord = (env: string[] = []) => Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

function labelFilter(labels: Labels): string[] {
  return Object.entries(labels).map(([k, v]) => (v === '' ? k : `${k}=${v}`));
}

export function toServiceOptions(spec: ServiceCreateSpec): Record<string, unknown> {
  return {
    Name: spec.name,
    Labels: spec.labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: spec.image,
        Command: spec.command,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: spec.containerLabels,
        User: spec.user,
        CapabilityDrop: spec.capDrop,
        Init: spec.init,
      },
      Resources: {
        Limits: { NanoCPUs: spec.limits.nanoCpus, MemoryBytes: spec.limits.memoryBytes, Pids: spec.limits.pids },
        Reservations: { NanoCPUs: spec.reservations.nanoCpus, MemoryBytes: spec.reservations.memoryBytes },
      },
      // One try: a visitor's notebook that dies is ended, never restarted with a fresh state.
      RestartPolicy: { Condition: 'none' },
      Placement: {
        Constraints: spec.placement.constraints,
        Preferences: spec.placement.preferences.map((p) => ({ Spread: { SpreadDescriptor: p.replace(/^spread=/, '') } })),
      },
      Networks: spec.networks.map((n) => ({ Target: n })),
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: {
      Mode: 'dnsrr',
      Ports: spec.hostPorts.map((p) => ({ Protocol: 'tcp', TargetPort: p, PublishMode: 'host' })),
    },
  };
}

// dockerode's typings of these calls are loose overloads; one narrow view of what is used.
interface SwarmCalls {
  listServices(opts: object): Promise<RawService[]>;
  listTasks(opts: object): Promise<RawTask[]>;
  createService(authOrOpts: object, opts?: object): Promise<{ id?: string; ID?: string }>;
}

interface RawService {
  ID: string;
  CreatedAt?: string;
  Spec?: { Name?: string; Labels?: Labels; TaskTemplate?: { ContainerSpec?: { Image?: string; Env?: string[] } } };
}

export function swarmApi(docker: Docker, ep: EngineEndpoint): SwarmApi {
  const d = docker as unknown as SwarmCalls;
  return {
    async state() {
      const i = await call(ep, 'engine info', () => docker.info());
      const s = i.Swarm ?? {};
      return { state: s.LocalNodeState ?? 'inactive', nodeId: s.NodeID ?? '', isManager: !!s.ControlAvailable };
    },
    async nodes() {
      const list = (await call(ep, 'list swarm nodes', () => docker.listNodes())) as RawNode[];
      return list.map(toNode);
    },
    async services(filter = {}) {
      const filters = filter.labels ? { label: labelFilter(filter.labels) } : {};
      const list = await call(ep, 'list services', () => d.listServices({ filters }));
      return list.map((s) => ({
        id: s.ID,
        name: s.Spec?.Name ?? '',
        labels: s.Spec?.Labels ?? {},
        image: s.Spec?.TaskTemplate?.ContainerSpec?.Image ?? '',
        env: envToRecord(s.Spec?.TaskTemplate?.ContainerSpec?.Env),
        createdAt: s.CreatedAt ?? '',
      }));
    },
    async createService(spec) {
      const opts = toServiceOptions(spec);
      const made = await call(ep, `create service ${spec.name}`, () => (spec.auth ? d.createService(spec.auth, opts) : d.createService(opts)));
      return made.id ?? made.ID ?? '';
    },
    async labelService(id, labels) {
      await call(ep, `label service ${id}`, async () => {
        const svc = docker.getService(id);
        const info = await svc.inspect();
        const spec = { ...info.Spec, Labels: { ...(info.Spec?.Labels ?? {}), ...labels } };
        await svc.update({ ...spec, version: info.Version.Index } as never);
      });
    },
    async removeService(id) {
      await callOrNull(ep, `remove service ${id}`, () => docker.getService(id).remove());
    },
    async tasks(filter = {}) {
      const filters: Record<string, string[]> = {};
      if (filter.service) filters.service = [filter.service];
      if (filter.labels) filters.label = labelFilter(filter.labels);
      const list = await call(ep, 'list tasks', () => d.listTasks({ filters }));
      return list.map(toTask);
    },
  };
}

interface RawTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  DesiredState?: string;
  UpdatedAt?: string;
  Status?: {
    State?: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string };
    PortStatus?: { Ports?: { TargetPort?: number; PublishedPort?: number }[] };
  };
}

function toTask(t: RawTask): SwarmTask {
  const ports: Record<number, number> = {};
  // A host-mode port is listed once per address family (0.0.0.0 first, then ::, each with its
  // own port number on Docker 20.10): the first is the IPv4 one.
  for (const p of t.Status?.PortStatus?.Ports ?? []) if (p.TargetPort && p.PublishedPort) ports[p.TargetPort] ??= p.PublishedPort;
  return {
    id: t.ID,
    serviceId: t.ServiceID,
    nodeId: t.NodeID ?? '',
    state: t.Status?.State ?? 'new',
    desiredState: t.DesiredState ?? '',
    message: t.Status?.Message ?? '',
    err: t.Status?.Err ?? '',
    containerId: t.Status?.ContainerStatus?.ContainerID ?? '',
    ports,
    updatedAt: t.UpdatedAt ?? '',
  };
}
