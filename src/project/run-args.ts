// A list of `docker run` arguments (devcontainer.json's runArgs) read with run.cfg's own
// allow-list: environment, volumes, ports, GPUs and the network. Any other flag is refused by
// name (ArgError), as run.cfg refuses it.
import type { MountSpec } from '../engine/types.js';
import type { GpuRequest } from '../config/types.js';
import { readFlags, type FlagDef } from './flags.js';
import { ENV_FLAGS, GPU_FLAGS, parseEnvAssignment, parseGpuRequest, parseNetwork, PORT_FLAGS, VOLUME_FLAGS, volumeFlag } from './docker-args.js';
import { parsePortSpec, type PortSpec } from './port-spec.js';
import type { PathContext } from './volume-spec.js';

export interface RunArgs {
  env: Record<string, string>;
  mounts: MountSpec[];
  ports: PortSpec[];
  gpu?: GpuRequest;
  runtime?: string;
  network?: string;
}

const NETWORK_FLAGS: FlagDef[] = [{ long: 'network' }, { long: 'net' }];

/** Every flag run.cfg accepts, once each. */
export const RUN_ARG_FLAGS: FlagDef[] = [...ENV_FLAGS, ...VOLUME_FLAGS, ...PORT_FLAGS, ...GPU_FLAGS, ...NETWORK_FLAGS].filter(
  (f, i, all) => all.findIndex((g) => g.long === f.long) === i,
);

/** Already-split arguments (one word each, as a JSON list gives them). */
export function parseRunArgs(args: string[], ctx: PathContext & { hostEnv?: NodeJS.ProcessEnv }): RunArgs {
  const out: RunArgs = { env: {}, mounts: [], ports: [] };
  for (const { flag, value } of readFlags(args, RUN_ARG_FLAGS, 'runArgs', '["-e", "NAME=value", "-v", "/host:/container", "-p", "8050:8050"]')) {
    switch (flag.long) {
      case 'env': {
        const pair = parseEnvAssignment(value, ctx.hostEnv ?? process.env);
        if (pair) out.env[pair[0]] = pair[1];
        break;
      }
      case 'publish':
        out.ports.push(...parsePortSpec(value));
        break;
      case 'gpus':
        out.gpu = parseGpuRequest(value);
        break;
      case 'runtime':
        out.runtime = value;
        break;
      case 'network':
      case 'net':
        out.network = parseNetwork(value);
        break;
      default:
        out.mounts.push(volumeFlag(flag, value, ctx));
    }
  }
  return out;
}
