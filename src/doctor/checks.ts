// `transferctl doctor`: what this machine has for transferctl, each finding with what to do.
// The checks read the world through a small Probes interface (the engine facade, the file
// system, a few commands), so the verdicts are unit-tested with made-up probes.
import type { EngineEndpoint, EngineInfo } from '../engine/index.js';

export type Level = 'ok' | 'warn' | 'fail' | 'info';

export interface Finding {
  check: string;
  level: Level;
  detail: string;
  /** What to do about it (absent when nothing needs doing). */
  hint?: string;
}

export interface DoctorReport {
  /** True when an engine answers: doctor's exit code is 0 then, 1 otherwise. */
  engineAnswers: boolean;
  findings: Finding[];
}

export interface Probes {
  endpoint(): EngineEndpoint;
  /** The engine runs on this machine (its disk can be measured from here). */
  isLocal(): boolean;
  /** The engine's facts, or the error message when it does not answer. */
  engineInfo(): Promise<EngineInfo | string>;
  hasImage(ref: string): Promise<boolean>;
  /** Free bytes on the file system holding `path` (undefined: cannot tell from here). */
  freeBytes(path: string): Promise<number | undefined>;
  /** A command's first output line, or undefined when it is not installed. */
  commandVersion(cmd: string, args: string[]): Promise<string | undefined>;
  registryAnswers(host: string): Promise<boolean>;
  /** The registry named by the workspace config here (commit.repo), if any. */
  configuredRegistry(): string | undefined;
}

export interface DoctorInput {
  baseImages: string[];
  stacksImage: string;
  stacksRegistry: string;
  /** Below this much free space under the engine's root, warn (a Jupyter base is ~1.7 GB). */
  minFreeBytes?: number;
}

const GB = 1e9;

export async function diagnose(probes: Probes, input: DoctorInput): Promise<DoctorReport> {
  const findings: Finding[] = [];
  const ep = probes.endpoint();
  const info = await probes.engineInfo();
  const engineAnswers = typeof info !== 'string';
  const local = probes.isLocal();

  if (typeof info === 'string') {
    findings.push({
      check: 'engine',
      level: 'fail',
      detail: info.includes(ep.url) ? info : `no engine answers at ${ep.url} (found by: ${ep.source}): ${info}`,
      hint: local
        ? 'start Docker (`sudo systemctl start docker`, or `sudo dockerd &`); on Debian/Ubuntu `npm run quickstart` installs and starts it'
        : 'check DOCKER_HOST / the docker context, or unset DOCKER_HOST to use the local engine',
    });
  } else {
    const store = info.containerdSnapshotter ? "containerd's image store" : 'classic image store';
    findings.push({
      check: 'engine',
      level: 'ok',
      detail: `Docker ${info.serverVersion} (API ${info.apiVersion}) at ${ep.url} (found by: ${ep.source}); ${info.storageDriver}, ${store}, ${info.rootless ? 'rootless' : 'rootful'}, cgroups v${info.cgroupVersion || '?'}, ${info.ncpu} CPUs, ${(info.memTotal / GB).toFixed(1)} GB`,
      hint: info.containerdSnapshotter ? 'thin transfers send whole images to this engine (a partial docker load needs the classic store)' : undefined,
    });
    const have: string[] = [];
    for (const ref of [...input.baseImages, input.stacksImage]) if (await probes.hasImage(ref)) have.push(ref);
    findings.push(
      have.length
        ? { check: 'base images', level: 'ok', detail: have.join(', ') }
        : {
            check: 'base images',
            level: 'warn',
            detail: 'no Jupyter base image on this engine',
            hint: `offline: \`transferctl base create\` (~5 min); online: ${input.stacksImage} is pulled at the first \`up\``,
          },
    );
    findings.push(await diskFinding(probes, info, local, input.minFreeBytes ?? 5 * GB));
    findings.push(
      info.runtimes.includes('nvidia')
        ? { check: 'GPU', level: 'ok', detail: 'NVIDIA runtime present (workspaces may set "gpu")' }
        : { check: 'GPU', level: 'info', detail: 'no NVIDIA runtime', hint: 'only needed for "gpu": install the NVIDIA Container Toolkit on the engine host' },
    );
  }

  const ssh = await probes.commandVersion('ssh', ['-V']);
  findings.push(
    ssh
      ? { check: 'ssh', level: 'ok', detail: ssh }
      : { check: 'ssh', level: 'warn', detail: 'ssh is not installed', hint: '`transfer` and ssh:// engines need it: sudo apt-get install openssh-client' },
  );

  const configured = probes.configuredRegistry();
  const registry = configured ?? input.stacksRegistry;
  const answers = await probes.registryAnswers(registry);
  findings.push(
    answers
      ? { check: 'registry', level: 'ok', detail: `${registry} answers${configured ? ' (commit.repo)' : ''}` }
      : {
          check: 'registry',
          level: configured ? 'warn' : 'info',
          detail: `${registry} does not answer${configured ? ' (commit.repo)' : ''}`,
          hint: configured
            ? 'push/pull need it: check the address and your network'
            : 'offline is fine: builds use the local base (`transferctl base create`); move images with `export`/`import` or `transfer`',
        },
  );

  const podman = await probes.commandVersion('podman', ['--version']);
  findings.push(
    podman
      ? { check: 'podman', level: 'info', detail: `${podman} (used when DOCKER_HOST names its socket, or no Docker socket exists)` }
      : { check: 'podman', level: 'info', detail: 'not installed (not needed)' },
  );
  return { engineAnswers, findings };
}

async function diskFinding(probes: Probes, info: EngineInfo, local: boolean, min: number): Promise<Finding> {
  if (!local) return { check: 'disk', level: 'info', detail: `engine root ${info.rootDir || '?'} is on the engine's host: not checked from here` };
  const free = await probes.freeBytes(info.rootDir);
  if (free === undefined) return { check: 'disk', level: 'info', detail: `cannot read the free space under ${info.rootDir}` };
  const text = `${(free / GB).toFixed(1)} GB free under ${info.rootDir}`;
  return free < min
    ? { check: 'disk', level: 'warn', detail: text, hint: 'a Jupyter base takes ~1.7 GB and each save more: `docker image prune` or free some space' }
    : { check: 'disk', level: 'ok', detail: text };
}
