// What is checked before a profile's container is created, so a bad setting fails with its
// file and line and nothing is left behind: the network, bind-mount folders, fixed host
// ports, and the GPU runtime.
import { existsSync } from 'node:fs';
import { ConfigError, EngineError } from '../errors.js';
import { failureKind, type Engine } from '../engine/index.js';
import { gpuRuntimeHint, noGpuRuntime, portTakenAtStart } from '../engine/explain.js';
import { portFree } from '../ports.js';
import type { Origin, Profile } from './profile.js';
import type { RunPlan } from './run-plan.js';

const BUILTIN_NETWORKS = new Set(['bridge', 'host', 'none', 'default']);

function at(profile: Profile, key: 'network' | 'volumes' | 'ports' | 'gpu', message: string, hint: string): ConfigError {
  const o: Origin | undefined = profile.origin[key] ?? profile.origin.section;
  if (!o) return new ConfigError('(command line)', message, { hint });
  return new ConfigError(o.file, `${o.where}: ${message}`, { line: o.line, column: o.column, hint });
}

export async function checkRun(engine: Engine, profile: Profile, plan: RunPlan): Promise<void> {
  const net = profile.network;
  if (net && !BUILTIN_NETWORKS.has(net) && !net.startsWith('container:') && !(await engine.networks.inspect(net))) {
    throw at(profile, 'network', `the network "${net}" does not exist on the engine`, `create it (docker network create ${net}) or use network=bridge`);
  }
  if (engine.isLocal) {
    for (const m of plan.spec.mounts ?? []) {
      if (m.type === 'bind' && m.source && !existsSync(m.source)) {
        throw at(profile, 'volumes', `the host folder ${m.source} (for ${m.target}) does not exist`, `create it (mkdir -p ${m.source}) or fix the path`);
      }
    }
    for (const p of profile.ports) {
      if (p.hostPort && !(await portFree(p.hostPort, p.hostIp))) {
        throw at(profile, 'ports', `port ${p.hostPort} on ${p.hostIp} is already taken`, 'stop what uses it, or choose another host port');
      }
    }
  }
  if (plan.gpu?.runtime) {
    const { runtimes } = await engine.info();
    if (!runtimes.includes(plan.gpu.runtime)) {
      throw new EngineError(`--gpu asks for the "${plan.gpu.runtime}" runtime, but the engine at ${engine.endpoint.url} has only: ${runtimes.join(', ')}`, {
        hint: gpuRuntimeHint('run without --gpu'),
        kind: 'no-gpu-runtime',
      });
    }
  }
}

/** Engine failures at start that the user can fix, in plain words. */
export function explainStartError(err: unknown, engine: Engine, plan: RunPlan): unknown {
  const kind = failureKind(err);
  const detail = (err as Error)?.message ?? '';
  if (plan.gpu && kind === 'no-gpu-runtime') return noGpuRuntime(engine.endpoint, { asked: '--gpu asks for GPUs', orElse: 'run without --gpu', detail });
  if (kind === 'port-taken') return portTakenAtStart({ port: 'a port of this profile', hint: 'run it again, or choose other host ports', detail });
  return err;
}
