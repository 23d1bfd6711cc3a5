// `up`: build if needed, create and start the container, wait for Jupyter, return its URL.
// Running it twice is harmless: the same container, token and port come back.
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { EngineError, UserError } from '../errors.js';
import { failureKind, type ContainerDetails, type Engine, type OnProgress } from '../engine/index.js';
import { noGpuRuntime, portTakenAtStart } from '../engine/explain.js';
import type { WorkspaceSpec } from '../config/types.js';
import { debug } from '../log.js';
import { findWorkspaceContainer, foreignContainerError } from './find.js';
import { hostUser } from './host-user.js';
import { L } from '../labels.js';
import { nextFreePort, portFree } from '../ports.js';
import { planContainer, urlFor, type RuntimeFacts } from './plan.js';
import { startScriptOf } from '../start-script.js';
import { waitForJupyter } from './wait.js';
import { placeFolder } from './remote-folder.js';
import { checkRuntime, lifecycleAt, runtimeFor } from './environment/devcontainer/up-steps.js';

const log = debug('up');

export interface UpOptions {
  /** Fixed host port (overrides publish.port). */
  port?: number;
  address?: string;
  offline?: boolean;
  /** Replace a container of the same name that is not this workspace's. */
  force?: boolean;
  /** Recreate this workspace's container (applies config changes; keeps token and port). */
  recreate?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: OnProgress;
  onStep?: (message: string) => void;
  /** The container is running (started by this run or before): what can wait until then may start. */
  onStarted?: () => void;
}

export interface UpResult {
  container: string;
  containerId: string;
  image: string;
  url: string;
  token: string;
  host: string;
  port: number;
  /** Set when the engine is reached over ssh: `url` works through a forward that ends with this process. */
  tunnel?: { remotePort: number };
  /** What `up` had to do. */
  action: 'created' | 'started' | 'already-running';
  built: boolean;
  /** When `up` had to make the image: where its environment came from (build.ts BuildResult). */
  environment?: { cache: 'local' | 'pulled' | 'built'; hashTag: string | null; why?: string };
  notes: string[];
}

export function tokenOf(c: ContainerDetails): string | undefined {
  return c.env.JUPYTER_TOKEN;
}

export function hostPortOf(c: ContainerDetails, containerPort: number): { hostIp: string; hostPort: number } | undefined {
  const b = c.ports[`${containerPort}/tcp`]?.find((x) => x.hostPort > 0);
  return b;
}

function configHash(spec: WorkspaceSpec): string {
  const plan = planContainer(spec, { uid: 0, gid: 0, hostPort: 0, token: '' });
  // A devcontainer.json's settings count as config too.
  return createHash('sha256').update(JSON.stringify(plan)).update(spec.devcontainer?.doc.text ?? '').digest('hex').slice(0, 16);
}

/** The engine's transferctl containers, listed when `up` starts: choosePort reads their ports. */
type ManagedList = () => ReturnType<Engine['containers']['list']>;

async function choosePort(engine: Engine, spec: WorkspaceSpec, opts: UpOptions, address: string, managed: ManagedList): Promise<number> {
  const fixed = opts.port ?? spec.publish.port;
  const local = engine.isLocal;
  if (fixed !== undefined) {
    if (local && !(await portFree(fixed, address))) {
      throw new UserError(`port ${fixed} on ${address} is already taken`, {
        hint: 'stop what uses it, pick another with --port N or publish.port, or leave the port unset to take the next free one',
      });
    }
    return fixed;
  }
  if (!local) return 0;
  // Ports that other transferctl containers hold (even stopped ones will want them back).
  const held = new Set<number>();
  const others = await managed();
  const details = await Promise.all(others.map((s) => engine.containers.inspect(s.id)));
  for (const d of details) for (const list of Object.values(d?.ports ?? {})) for (const b of list) held.add(b.hostPort);
  const port = await nextFreePort(8888, address, held);
  if (!port) throw new UserError(`no free port from 8888 up on ${address}`, { hint: 'choose one with --port N' });
  return port;
}

/**
 * A look-up sent now, awaited later (or never): its failure counts only when it is used. `up`
 * sends the ones it may need at once: one round trip before create instead of three.
 */
function early<T>(work: Promise<T>): () => Promise<T> {
  work.catch(() => {});
  return () => work;
}

function sshSocket(spec: WorkspaceSpec, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!spec.sshAgent) return undefined;
  const sock = env.SSH_AUTH_SOCK;
  let ok = false;
  try {
    ok = !!sock && statSync(sock).isSocket();
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new UserError(`ssh-agent forwarding is on, but ${sock ? `SSH_AUTH_SOCK (${sock}) is not a socket` : 'SSH_AUTH_SOCK is not set'}`, {
      hint: 'start an agent and add your key: eval "$(ssh-agent)" && ssh-add — or set "ssh-agent": false',
    });
  }
  return sock;
}

function gpuError(err: unknown, engine: Engine): unknown {
  if (failureKind(err) !== 'no-gpu-runtime') return err;
  return noGpuRuntime(engine.endpoint, { asked: 'GPUs were requested', orElse: 'remove "gpu" from the config' });
}

async function ready(engine: Engine, spec: WorkspaceSpec, c: ContainerDetails, opts: UpOptions) {
  const token = tokenOf(c);
  const binding = hostPortOf(c, spec.jupyter.port);
  if (!token || !binding) {
    throw new UserError(`container "${c.name}" has no token or published port`, { hint: 'recreate it: transferctl up --recreate' });
  }
  // An ssh:// engine's port is forwarded here; readiness is checked through that forward.
  const via = await engine.reach(binding.hostIp, binding.hostPort);
  const host = via.forwarded ? via.host : engine.publishHost();
  const port = via.forwarded ? via.port : binding.hostPort;
  await waitForJupyter(engine, c.id, { host, port, token, timeoutMs: opts.timeoutMs ?? 120_000, signal: opts.signal });
  const tunnel = via.forwarded ? { remotePort: binding.hostPort } : undefined;
  return { token, port, host: via.forwarded || binding.hostIp === '0.0.0.0' ? host : binding.hostIp, tunnel };
}

export async function up(engine: Engine, spec: WorkspaceSpec, opts: UpOptions = {}): Promise<UpResult> {
  const step = opts.onStep ?? (() => {});
  const notes: string[] = [];
  // The janitor's sweep (cli/context.ts) starts once the container runs (onStarted): up makes no
  // temporaries, and its engine calls then overlap Jupyter's start instead of delaying create.
  // The image and the other transferctl containers (for a free port) are looked up alongside
  // the workspace's container.
  const imageLookup = early(engine.images.inspect(spec.image.name));
  const portFixed = opts.port ?? spec.publish.port;
  const managed = early(portFixed === undefined && engine.isLocal ? engine.containers.list({ labels: { [L.managed]: 'true' } }) : Promise.resolve([]));
  const found = await findWorkspaceContainer(engine, spec);
  let keep: { token?: string; port?: number } = {};

  if (found.kind === 'foreign') {
    if (!opts.force) throw foreignContainerError(spec, found.container);
    step(`removing container ${found.container.name} (--force)`);
    await engine.containers.remove(found.container.id, { force: true });
  }
  if (found.kind === 'ours') {
    const c = found.container;
    if (opts.recreate) {
      keep = { token: tokenOf(c), port: hostPortOf(c, spec.jupyter.port)?.hostPort };
      step(`recreating ${c.name}`);
      await engine.containers.remove(c.id, { force: true });
    } else {
      if (c.labels[L.configHash] && c.labels[L.configHash] !== configHash(spec)) {
        notes.push('the config changed since this container was created; `transferctl up --recreate` applies it (files installed inside the container are lost; `transferctl commit` keeps them)');
      }
      const wasRunning = c.running;
      if (!wasRunning) {
        step(`starting ${c.name}`);
        await engine.containers.start(c.id).catch((err) => {
          throw gpuError(err, engine);
        });
      }
      opts.onStarted?.();
      const r = await ready(engine, spec, c, opts);
      // A container this run started goes back to stopped when a lifecycle command fails.
      await lifecycleAt(engine, spec, c.id, wasRunning ? ['attached'] : ['created', 'started', 'attached'], {
        onStep: step,
        undo: wasRunning ? undefined : () => engine.containers.stop(c.id),
        signal: opts.signal,
      });
      return {
        container: c.name,
        containerId: c.id,
        image: c.image,
        url: urlFor(spec, r.host, r.port, r.token),
        ...r,
        action: wasRunning ? 'already-running' : 'started',
        built: false,
        notes,
      };
    }
  }

  const address = opts.address ?? spec.publish.address;
  const token = keep.token ?? randomBytes(24).toString('hex');
  const { uid, gid } = hostUser();
  const [hostPort, image] = await Promise.all([
    // After --force or --recreate removed a container, the list still names it: its ports are
    // then skipped as held, which costs at most a port number.
    keep.port ?? choosePort(engine, spec, opts, address, managed),
    // After --force or --recreate removed a container, the image is still the one looked up.
    imageLookup(),
  ]);
  const facts: RuntimeFacts = {
    uid,
    gid,
    token,
    hostPort,
    sshAuthSock: sshSocket(spec),
    configHash: configHash(spec),
  };
  // devcontainer.json's run-time settings: checked now (a bad one fails before the build), read
  // again from the built image (its environment for ${containerEnv:…}, its user).
  let dc = runtimeFor(spec, image);
  await checkRuntime(engine, spec, dc);

  // Checks above are cheap and come first; the build may take minutes.
  let built = false;
  let environment: UpResult['environment'];
  // repo2docker's `start` wraps the command when the image carries one (start-script.ts).
  let startScript = startScriptOf(image?.labels);
  if (!image) {
    step(`building image ${spec.image.name}`);
    const { buildWorkspaceImage } = await import('./build.js');
    const b = await buildWorkspaceImage(engine, spec, { offline: opts.offline, signal: opts.signal, onProgress: opts.onProgress, onStep: step });
    startScript = b.startScript;
    built = true;
    environment = { cache: b.cache, hashTag: b.hashTag, why: b.why };
    if (spec.devcontainer) dc = runtimeFor(spec, await engine.images.inspect(spec.image.name));
  }
  if (opts.signal?.aborted) throw opts.signal.reason;
  // A remote engine mounts from its own host: the folder must be there (or in its volume).
  const placed = await placeFolder(engine, spec);
  const plan = planContainer({ ...placed, publish: { ...spec.publish, address } }, { ...facts, startScript }, dc);

  step(`creating container ${spec.containerName}`);
  let id: string | undefined;
  try {
    id = await engine.containers.create(plan);
    log(`created ${id.slice(0, 12)}`);
    if (opts.signal?.aborted) throw opts.signal.reason;
    await engine.containers.start(id).catch((err) => {
      throw gpuError(err, engine);
    });
    log('started');
    opts.onStarted?.();
    const c = await engine.containers.inspect(id);
    if (!c) throw new EngineError(`container ${spec.containerName} vanished right after it started`);
    const r = await ready(engine, spec, c, opts);
    log(`ready: ${c.name} on ${r.host}:${r.port}`);
    // The catch below removes the container when one of these fails.
    await lifecycleAt(engine, spec, c.id, ['created', 'started', 'attached'], { onStep: step, signal: opts.signal });
    return {
      container: c.name,
      containerId: c.id,
      image: spec.image.name,
      url: urlFor(spec, r.host, r.port, r.token),
      ...r,
      action: 'created',
      built,
      environment,
      notes,
    };
  } catch (err) {
    // Nothing half-done: the container this run created goes away.
    if (id) await engine.containers.remove(id, { force: true }).catch(() => {});
    if (failureKind(err) === 'port-taken') {
      throw portTakenAtStart({ port: `port ${facts.hostPort} on ${address}`, hint: 'run `transferctl up` again (it takes the next free port), or choose one with --port N' });
    }
    throw err;
  }
}
