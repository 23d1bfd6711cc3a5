// The service's network removed under it (an operator's `docker network prune`, a script):
// a start that fails finds it gone, makes it again (with its firewall rules) and tries once more,
// so the pool recovers by itself.
import type { Engine } from '../engine/index.js';
import type { Session } from './session.js';
import type { Spawner } from './spawner.js';

export function guardNetwork(spawner: Spawner, engine: Engine, network: string, remake: () => Promise<void>, log: (m: string) => void): Spawner {
  let remaking: Promise<void> | undefined;
  const once = () => (remaking ??= remake().finally(() => (remaking = undefined)));
  return {
    ...spawner,
    async spawn(signal?: AbortSignal): Promise<Session> {
      try {
        return await spawner.spawn(signal);
      } catch (err) {
        if (signal?.aborted || (await engine.networks.inspect(network).catch(() => undefined)) !== null) throw err;
        log(`network ${network} is gone: making it again`);
        await once();
        return spawner.spawn(signal);
      }
    },
    remove: (s) => spawner.remove(s),
  };
}
