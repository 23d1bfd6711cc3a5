// Start a visitor container and wait until its notebook server answers; remove one.
import type { Engine } from '../engine/index.js';
import { EngineError, UserError } from '../errors.js';
import type { ServeSpec } from './config.js';
import { answers } from './jupyter-api.js';
import { networkLabels, networkName, SL } from './labels.js';
import type { Session } from './session.js';
import { newIdentity, networkOptions, planPoolContainer, type VisitorShape } from './spawn-plan.js';
import { chooseTarget } from './target.js';

export type SessionStatus = 'running' | 'exited' | 'lost';

export interface Spawner {
  spawn(signal?: AbortSignal): Promise<Session>;
  remove(session: Pick<Session, 'containerId' | 'route'>): Promise<void>;
  /** Record durably that a session was handed out at `at` (default: the pool renames the container). */
  assign?(session: Session, at: number): Promise<void>;
  /** Whether each session's notebook runs, stopped, or was lost with its machine (default: the culler lists containers). */
  check?(sessions: Session[]): Promise<Map<string, SessionStatus>>;
}

export async function ensureNetwork(engine: Engine, spec: ServeSpec): Promise<{ id: string; created: boolean }> {
  const name = networkName(spec.name);
  const existing = await engine.networks.inspect(name);
  if (existing) {
    if (existing.labels[SL.service] !== spec.name) {
      throw new UserError(`a network named ${name} exists and transferctl did not make it for this service`, {
        hint: `remove it (docker network rm ${name}) or choose another "name" in the serve config`,
      });
    }
    if (existing.ipv6) {
      throw new UserError(`network ${name} has IPv6 on: visitors could reach this host over it`, {
        hint: `remove the service's network (transferctl serve --down) and start again; serve makes it IPv4-only`,
      });
    }
    return { id: existing.id, created: false };
  }
  // IPv4-only, said explicitly: an engine whose default network options turn IPv6 on would
  // otherwise give visitors a path the IPv4 firewall rules do not see.
  return { id: await engine.networks.create(name, { labels: networkLabels(spec.name), ipv6: false, options: networkOptions(spec.internet) }), created: true };
}

export function createSpawner(engine: Engine, spec: ServeSpec, shape: VisitorShape, readyTimeoutMs = 60_000): Spawner {
  const host = engine.publishHost();
  return {
    async spawn(signal) {
      const id = newIdentity();
      const plan = planPoolContainer(spec, id, shape.command, shape.disk);
      const containerId = await engine.containers.create(plan);
      try {
        await engine.containers.start(containerId);
        const info = await engine.containers.inspect(containerId);
        const port = info?.ports[`${spec.jupyter.port}/tcp`]?.[0]?.hostPort;
        if (!port) throw new EngineError(`the engine did not publish port ${spec.jupyter.port} of ${plan.name}`);
        const now = Date.now();
        const published = { host, port };
        const session: Session = {
          route: id.route,
          token: id.token,
          containerId,
          containerName: plan.name!,
          target: await chooseTarget(engine, spec, containerId, published),
          hostPort: port,
          state: 'starting',
          createdAt: now,
          lastActivity: now,
        };
        await waitReady(engine, session, readyTimeoutMs, published, signal);
        return session;
      } catch (err) {
        await engine.containers.remove(containerId, { force: true, volumes: true }).catch(() => {});
        throw err;
      }
    },
    async remove(session) {
      await engine.containers.remove(session.containerId, { force: true, volumes: true });
    },
  };
}

async function waitReady(engine: Engine, s: Session, timeoutMs: number, published: Session['target'], signal?: AbortSignal): Promise<void> {
  const started = Date.now();
  let polls = 0;
  while (Date.now() - started < timeoutMs) {
    if (signal?.aborted) throw signal.reason;
    if (await answers(s, 1000)) return;
    // The container's address does not answer but its published port does: use the port.
    if (polls === 30 && s.target !== published && (await answers({ ...s, target: published }, 1000))) {
      s.target = published;
      return;
    }
    if (polls++ % 10 === 9) {
      const c = await engine.containers.inspect(s.containerId);
      if (!c?.running) {
        const logs = (await engine.containers.logsText(s.containerId, 10)).trim();
        throw new UserError(`the notebook server in ${s.containerName} exited at start (exit code ${c?.exitCode ?? '?'})${logs ? `:\n${logs}` : ''}`, {
          hint: 'check "image" and "jupyter.command" in the serve config',
        });
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new UserError(`the notebook server in ${s.containerName} did not answer within ${Math.round(timeoutMs / 1000)} s`);
}
