// run.cfg values in docker's own syntax → structured settings. Words are split like a shell
// would (quotes), never handed to one.
import type { MountSpec } from '../engine/types.js';
import type { GpuRequest } from '../config/types.js';
import { ArgError, readFlags, type FlagDef } from './flags.js';
import { parsePortSpec, type PortSpec } from './port-spec.js';
import { parseMountSpec, parseVolumeSpec, type PathContext } from './volume-spec.js';
import type { GpuSettings, RunMode } from './profile.js';
import { shellWords, WordsError } from './shell-words.js';

export function words(text: string): string[] {
  try {
    return shellWords(text);
  } catch (err) {
    if (err instanceof WordsError) throw new ArgError(err.message, 'close the quote (use \'…\' or "…" around values with spaces)');
    throw err;
  }
}

/** The docker run flags run.cfg's keys accept, by key: the whole allow-list. */
export const ENV_FLAGS: FlagDef[] = [{ short: 'e', long: 'env' }];
export const VOLUME_FLAGS: FlagDef[] = [{ short: 'v', long: 'volume' }, { long: 'mount' }, { long: 'tmpfs' }];
export const PORT_FLAGS: FlagDef[] = [{ short: 'p', long: 'publish' }];
export const GPU_FLAGS: FlagDef[] = [{ long: 'runtime' }, { short: 'e', long: 'env' }, { long: 'gpus' }];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `VAR=value`, or `VAR` alone: the value from the host's environment (as docker does). */
export function parseEnvAssignment(text: string, hostEnv: NodeJS.ProcessEnv): [string, string] | undefined {
  const eq = text.indexOf('=');
  const name = eq < 0 ? text : text.slice(0, eq);
  if (!ENV_NAME.test(name)) throw new ArgError(`"${text}": "${name}" is not a variable name`, 'write -e NAME=value (letters, digits and _)');
  if (eq >= 0) return [name, text.slice(eq + 1)];
  const fromHost = hostEnv[name];
  return fromHost === undefined ? undefined : [name, fromHost];
}

export function parseEnvironment(text: string, hostEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { value } of readFlags(words(text), ENV_FLAGS, 'environment', '-e VAR=value -e OTHER="with spaces"')) {
    const pair = parseEnvAssignment(value, hostEnv);
    if (pair) env[pair[0]] = pair[1];
  }
  return env;
}

export function parseVolumes(text: string, ctx: PathContext): MountSpec[] {
  const flags = readFlags(
    words(text),
    VOLUME_FLAGS,
    'volumes',
    '-v /host/dir:/container/dir or --mount type=bind,source=/host/dir,target=/container/dir',
  );
  return flags.map(({ flag, value }) => volumeFlag(flag, value, ctx));
}

/** One -v/--volume, --mount or --tmpfs value → a mount. */
export function volumeFlag(flag: FlagDef, value: string, ctx: PathContext): MountSpec {
  if (flag.long === 'mount') return parseMountSpec(value, ctx);
  if (flag.long === 'tmpfs') return parseMountSpec(`type=tmpfs,target=${value}`, ctx);
  return parseVolumeSpec(value, ctx);
}

export function parsePorts(text: string): PortSpec[] {
  return readFlags(words(text), PORT_FLAGS, 'ports', '-p 8888:8888').flatMap(({ value }) => parsePortSpec(value));
}

const MODES: Record<string, RunMode> = { '-it': 'it', '-ti': 'it', '-i': 'i', '-t': 't', '-d': 'd' };

export function parseInteractive(text: string): RunMode {
  const w = words(text);
  const mode = w.length === 1 ? MODES[w[0]] : undefined;
  if (!mode) {
    throw new ArgError(
      `"${text}" is not a run mode: use -it (a terminal, with input), -i (input only), -t (a terminal only) or -d (detached, in the background)`,
      'leave interactive out to run in the foreground and see the output',
    );
  }
  return mode;
}

export function parseGpuRequest(value: string): GpuRequest {
  const v = value.replace(/^"|"$/g, '');
  if (v === 'all') return { count: -1 };
  if (/^\d+$/.test(v) && Number(v) > 0) return { count: Number(v) };
  const dev = /^device=(.+)$/.exec(v);
  if (dev) return { deviceIds: dev[1].split(',').map((d) => d.trim()).filter(Boolean) };
  const count = /^count=(\d+|all)$/.exec(v);
  if (count) return { count: count[1] === 'all' ? -1 : Number(count[1]) };
  throw new ArgError(`--gpus "${value}" is not understood`, 'write --gpus all, --gpus 2 or --gpus device=0,1');
}

/** NVIDIA Docker 2.0 (`--runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=all`) or `--gpus …`. */
export function parseGpu(text: string, hostEnv: NodeJS.ProcessEnv = process.env): GpuSettings {
  const gpu: GpuSettings = { env: {} };
  const flags = readFlags(
    words(text),
    GPU_FLAGS,
    'gpu',
    '--runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=all, or --gpus all',
  );
  for (const { flag, value } of flags) {
    if (flag.long === 'runtime') gpu.runtime = value;
    else if (flag.long === 'gpus') gpu.request = parseGpuRequest(value);
    else {
      const pair = parseEnvAssignment(value, hostEnv);
      if (pair) gpu.env[pair[0]] = pair[1];
    }
  }
  if (!gpu.runtime && !gpu.request) throw new ArgError(`"${text}" asks for no GPU`, 'add --runtime=nvidia or --gpus all');
  return gpu;
}

/** A docker CMD: JSON exec form `["a", "b"]`, or words. */
export function parseCmd(text: string): string[] {
  const t = text.trim();
  if (t.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch {
      throw new ArgError(`"${t}" is not a JSON list`, 'write ["prog", "arg"] with double quotes, or plain words: prog arg');
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((x) => typeof x === 'string')) {
      throw new ArgError(`"${t}" is not a list of strings`, 'write ["prog", "arg"]');
    }
    return parsed as string[];
  }
  const w = words(t);
  if (w.length === 0) throw new ArgError('the command is empty', 'remove the key, or name a program');
  return w;
}

/** A network name (docker's own: bridge, host, none, container:NAME, or one you created). */
export function parseNetwork(text: string): string {
  const w = words(text);
  if (w.length !== 1 || !/^[a-zA-Z0-9][a-zA-Z0-9_.:-]*$/.test(w[0])) {
    throw new ArgError(`"${text}" is not one network name`, 'write network=NAME, e.g. network=bridge');
  }
  return w[0];
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function parseTag(text: string): string {
  const t = text.trim();
  if (!TAG.test(t)) throw new ArgError(`"${t}" is not a valid image tag`, 'a tag is letters, digits, _, . and - (up to 128), not starting with . or -');
  return t;
}
