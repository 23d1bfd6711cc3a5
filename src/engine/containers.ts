// Containers, through the Engine API.
import type Docker from 'dockerode';
import { removeDetached } from './detached-remove.js';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { call, callOrNull } from './errors.js';
import { recordToEnv, toDetails, toSummary } from './map.js';
import type { ContainerCreateSpec, ContainerDetails, ContainerSummary, EngineEndpoint, Labels } from './types.js';
import { commitWithConfig, containerChanges, type CommitWithConfigOptions, type FsChange } from './snapshots.js';
import { attachStdio, startAttached, type AttachedStdio, type AttachOptions } from './attach.js';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ContainerApi {
  list(filter?: { labels?: Labels | string[]; all?: boolean; name?: string }): Promise<ContainerSummary[]>;
  inspect(idOrName: string): Promise<ContainerDetails | null>;
  create(spec: ContainerCreateSpec): Promise<string>;
  start(id: string): Promise<void>;
  stop(id: string, timeoutSeconds?: number): Promise<void>;
  kill(id: string, signal?: string): Promise<void>;
  remove(id: string, opts?: { force?: boolean; volumes?: boolean }): Promise<void>;
  /** Force-remove without waiting for the engine to delete the files (local engines; see detached-remove.ts). */
  removeInBackground(id: string): Promise<void>;
  logs(id: string, opts?: { follow?: boolean; tail?: number; timestamps?: boolean }): Promise<Readable>;
  logsText(id: string, tail?: number): Promise<string>;
  exec(id: string, cmd: string[], opts?: { user?: string; env?: Record<string, string>; workingDir?: string; stdin?: Buffer | string }): Promise<ExecResult>;
  /** An interactive exec attached to this process's terminal; resolves with the exit code. */
  execInteractive(id: string, cmd: string[], opts?: { user?: string; env?: Record<string, string>; workingDir?: string }): Promise<number>;
  putArchive(id: string, path: string, tar: Readable | Buffer): Promise<void>;
  getArchive(id: string, path: string): Promise<Readable>;
  commit(id: string, opts: { repo: string; tag?: string; changes?: string[]; comment?: string; pause?: boolean }): Promise<string>;
  wait(id: string): Promise<number>;
  rename(id: string, name: string): Promise<void>;
  /** Commit with an explicit image config in the request body (see snapshots.ts). */
  commitWithConfig(id: string, opts: CommitWithConfigOptions): Promise<string>;
  /** What changed in the container's filesystem (`docker diff`). */
  changes(id: string): Promise<FsChange[]>;
  /** IP address of the container on each network it is attached to (network name → IP). */
  addresses(id: string): Promise<Record<string, string>>;
  /** One sample of resource use (memory in bytes, as `docker stats` shows it: usage minus page cache). */
  stats(id: string): Promise<ContainerStats>;
  /** Start a created container attached to this terminal (`docker run -it`); resolves with its exit code. */
  startAttached(id: string, opts: AttachOptions): Promise<number>;
  /** Attach to a created container's stdio before starting it (it was created with openStdin). */
  attachStdio(id: string, out: { stdout: Writable; stderr: Writable }): Promise<AttachedStdio>;
}

export interface ContainerStats {
  memoryBytes: number;
  memoryLimitBytes: number;
  pids: number;
  /** CPU time the container has used since it started, in seconds (all its processes). */
  cpuSeconds: number;
}

export function toCreateOptions(spec: ContainerCreateSpec): Docker.ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const [port, list] of Object.entries(spec.ports ?? {})) {
    exposed[port] = {};
    bindings[port] = list.map((b) => ({ HostIp: b.hostIp, HostPort: b.hostPort ? String(b.hostPort) : '' }));
  }
  const deviceRequests = spec.gpu
    ? [
        'deviceIds' in spec.gpu
          ? { Driver: 'nvidia', DeviceIDs: spec.gpu.deviceIds, Capabilities: [['gpu']] }
          : { Driver: 'nvidia', Count: spec.gpu.count, Capabilities: [['gpu']] },
      ]
    : undefined;
  return {
    name: spec.name,
    Image: spec.image,
    Cmd: spec.cmd,
    Entrypoint: spec.entrypoint,
    Env: recordToEnv(spec.env),
    Labels: spec.labels,
    User: spec.user,
    WorkingDir: spec.workingDir,
    Tty: spec.tty ?? false,
    OpenStdin: spec.openStdin ?? false,
    StdinOnce: spec.stdinOnce,
    ExposedPorts: exposed,
    StopSignal: spec.stopSignal,
    HostConfig: {
      PortBindings: bindings,
      Mounts: spec.mounts?.map((m) => ({
        Type: m.type,
        Source: m.source ?? '',
        Target: m.target,
        ReadOnly: m.readOnly ?? false,
      })),
      NetworkMode: spec.network,
      Memory: spec.memoryBytes,
      MemorySwap: spec.memorySwapBytes,
      ReadonlyRootfs: spec.readOnlyRoot,
      Tmpfs: spec.tmpfs,
      NanoCpus: spec.nanoCpus,
      PidsLimit: spec.pidsLimit,
      ShmSize: spec.shmBytes,
      DeviceRequests: deviceRequests,
      SecurityOpt: spec.securityOpt,
      CapDrop: spec.capDrop,
      CapAdd: spec.capAdd,
      Runtime: spec.runtime,
      RestartPolicy: spec.restartPolicy ? { Name: spec.restartPolicy } : undefined,
      AutoRemove: spec.autoRemove,
      ExtraHosts: spec.extraHosts,
      Init: spec.init,
    },
    NetworkingConfig:
      spec.network && spec.networkAliases
        ? { EndpointsConfig: { [spec.network]: { Aliases: spec.networkAliases } } }
        : undefined,
  };
}

function labelFilter(labels: Labels | string[]): string[] {
  return Array.isArray(labels) ? labels : Object.entries(labels).map(([k, v]) => (v === '' ? k : `${k}=${v}`));
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

export function containerApi(docker: Docker, ep: EngineEndpoint): ContainerApi {
  const c = (id: string) => docker.getContainer(id);
  return {
    async list(filter = {}) {
      const filters: Record<string, string[]> = {};
      if (filter.labels) filters.label = labelFilter(filter.labels);
      if (filter.name) filters.name = [`^/${filter.name}$`];
      const list = await call(ep, 'list containers', () => docker.listContainers({ all: filter.all ?? true, filters }));
      return list.map(toSummary);
    },
    async inspect(id) {
      const info = await callOrNull(ep, `inspect container ${id}`, () => c(id).inspect());
      return info ? toDetails(info) : null;
    },
    async create(spec) {
      const made = await call(ep, `create container ${spec.name ?? ''}`.trim(), () => docker.createContainer(toCreateOptions(spec)));
      return made.id;
    },
    async start(id) {
      await call(ep, `start container ${id}`, async () => {
        try {
          await c(id).start();
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode !== 304) throw err;
        }
      });
    },
    async stop(id, timeoutSeconds = 10) {
      await call(ep, `stop container ${id}`, async () => {
        try {
          await c(id).stop({ t: timeoutSeconds });
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode !== 304) throw err;
        }
      });
    },
    async kill(id, signal = 'SIGKILL') {
      await call(ep, `kill container ${id}`, () => c(id).kill({ signal }));
    },
    async remove(id, opts = {}) {
      await callOrNull(ep, `remove container ${id}`, () => c(id).remove({ force: opts.force ?? false, v: opts.volumes ?? false }));
    },
    async removeInBackground(id) {
      if (!removeDetached(ep, id)) await this.remove(id, { force: true });
    },
    async logs(id, opts = {}) {
      const raw = (await call(ep, `logs of ${id}`, () =>
        c(id).logs({
          follow: (opts.follow ?? false) as true,
          stdout: true,
          stderr: true,
          ...(opts.tail !== undefined ? { tail: opts.tail } : {}),
          timestamps: opts.timestamps ?? false,
        }),
      )) as unknown as Readable | Buffer;
      const out = new PassThrough();
      const info = await c(id).inspect();
      if (Buffer.isBuffer(raw)) {
        if (info.Config.Tty) out.end(raw);
        else {
          const s = new PassThrough();
          docker.modem.demuxStream(s, out, out);
          s.on('end', () => out.end());
          s.end(raw);
        }
        return out;
      }
      if (info.Config.Tty) return raw;
      docker.modem.demuxStream(raw, out, out);
      raw.on('end', () => out.end());
      raw.on('close', () => out.end());
      return out;
    },
    async logsText(id, tail = 20) {
      try {
        return (await drain(await this.logs(id, { tail }))).toString('utf8');
      } catch {
        return '';
      }
    },
    async exec(id, cmd, opts = {}) {
      return call(ep, `exec in ${id}`, async () => {
        const ex = await c(id).exec({
          Cmd: cmd,
          AttachStdout: true,
          AttachStderr: true,
          AttachStdin: opts.stdin !== undefined,
          User: opts.user,
          Env: recordToEnv(opts.env),
          WorkingDir: opts.workingDir,
        });
        const stream = await ex.start({ hijack: true, stdin: opts.stdin !== undefined });
        const stdout = new PassThrough();
        const stderr = new PassThrough();
        docker.modem.demuxStream(stream, stdout, stderr);
        const outP = drain(stdout);
        const errP = drain(stderr);
        if (opts.stdin !== undefined) stream.end(opts.stdin);
        await new Promise<void>((resolve, reject) => {
          stream.on('end', resolve);
          stream.on('close', resolve);
          stream.on('error', reject);
        });
        stdout.end();
        stderr.end();
        const info = await ex.inspect();
        return { exitCode: info.ExitCode ?? -1, stdout: (await outP).toString('utf8'), stderr: (await errP).toString('utf8') };
      });
    },
    async execInteractive(id, cmd, opts = {}) {
      return call(ep, `exec in ${id}`, async () => {
        const tty = !!process.stdin.isTTY && !!process.stdout.isTTY;
        const ex = await c(id).exec({
          Cmd: cmd,
          AttachStdin: true,
          AttachStdout: true,
          AttachStderr: true,
          Tty: tty,
          User: opts.user,
          Env: recordToEnv({ TERM: process.env.TERM ?? 'xterm', ...opts.env }),
          WorkingDir: opts.workingDir,
        });
        const stream = await ex.start({ hijack: true, stdin: true, Tty: tty });
        if (tty) {
          process.stdin.setRawMode(true);
          const resize = () => ex.resize({ h: process.stdout.rows, w: process.stdout.columns }).catch(() => {});
          process.stdout.on('resize', resize);
          await resize();
          stream.pipe(process.stdout);
        } else {
          docker.modem.demuxStream(stream, process.stdout, process.stderr);
        }
        process.stdin.pipe(stream);
        process.stdin.resume();
        await new Promise<void>((resolve) => {
          stream.on('end', resolve);
          stream.on('close', resolve);
        });
        process.stdin.unpipe(stream);
        if (tty) process.stdin.setRawMode(false);
        process.stdin.pause();
        const info = await ex.inspect();
        return info.ExitCode ?? 0;
      });
    },
    async putArchive(id, path, tar) {
      await call(ep, `copy into ${id}:${path}`, () => c(id).putArchive(tar as NodeJS.ReadableStream, { path }));
    },
    async getArchive(id, path) {
      return (await call(ep, `copy from ${id}:${path}`, () => c(id).getArchive({ path }))) as unknown as Readable;
    },
    async commit(id, opts) {
      const res = (await call(ep, `commit ${id}`, () =>
        c(id).commit({ repo: opts.repo, tag: opts.tag, changes: opts.changes, comment: opts.comment, pause: opts.pause ?? true }),
      )) as { Id: string };
      return res.Id;
    },
    async wait(id) {
      const res = (await call(ep, `wait for ${id}`, () => c(id).wait())) as { StatusCode: number };
      return res.StatusCode;
    },
    async rename(id, name) {
      await call(ep, `rename ${id}`, () => c(id).rename({ name }));
    },
    commitWithConfig: (id, opts) => commitWithConfig(docker, ep, id, opts),
    startAttached: (id, opts) => startAttached(docker, ep, id, opts),
    attachStdio: (id, out) => attachStdio(docker, ep, id, out),
    changes: (id) => containerChanges(docker, ep, id),
    async addresses(id) {
      const info = await call(ep, `inspect container ${id}`, () => c(id).inspect());
      const out: Record<string, string> = {};
      for (const [net, cfg] of Object.entries(info.NetworkSettings?.Networks ?? {})) if (cfg?.IPAddress) out[net] = cfg.IPAddress;
      return out;
    },
    async stats(id) {
      const s = (await call(ep, `stats of ${id}`, () => c(id).stats({ stream: false }))) as unknown as {
        memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
        pids_stats?: { current?: number };
        cpu_stats?: { cpu_usage?: { total_usage?: number } };
      };
      const m = s.memory_stats ?? {};
      const cache = m.stats?.total_inactive_file ?? m.stats?.inactive_file ?? m.stats?.cache ?? 0;
      return { memoryBytes: Math.max(0, (m.usage ?? 0) - cache), memoryLimitBytes: m.limit ?? 0, pids: s.pids_stats?.current ?? 0, cpuSeconds: (s.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1e9 };
    },
  };
}
