// ssh:// engines through the system ssh client, as `docker -H ssh://…` does: the user's
// ~/.ssh/config, agent, keys and known_hosts apply (TRANSFERCTL_SSH_OPTS adds raw arguments).
// One master connection per process; every Engine API connection is a
// `docker system dial-stdio` channel over it, and published ports are forwarded on it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { split } from 'shlex';
import { EngineError, UserError } from '../errors.js';
import { debug } from '../log.js';
import type { EngineEndpoint } from './types.js';

const log = debug('ssh');

export interface SshLink {
  /** An http.Agent whose sockets are dial-stdio channels to the remote engine. */
  agent: http.Agent;
  /** Forward 127.0.0.1:localPort here to remoteHost:remotePort on the engine's host. */
  forward(remotePort: number, remoteHost?: string): Promise<{ host: string; port: number }>;
}

/** Arguments before the destination: TRANSFERCTL_SSH_OPTS, the port, `--`, user@host. */
export function sshTargetArgs(ep: EngineEndpoint, env: NodeJS.ProcessEnv = process.env): string[] {
  const dest = ep.username ? `${ep.username}@${ep.host}` : ep.host!;
  return [...split(env.TRANSFERCTL_SSH_OPTS ?? ''), ...(ep.port && ep.port !== 22 ? ['-p', String(ep.port)] : []), '--', dest];
}

const lastLine = (s: string) => s.trim().split('\n').filter(Boolean).pop() ?? '';

/** A child's stdin/stdout as a socket for http.Agent (the child starts once `ready` resolves). */
class ChannelSocket extends Duplex {
  private child?: ChildProcess;
  private readonly started: Promise<ChildProcess>;
  private stderr = '';
  constructor(start: () => Promise<ChildProcess>) {
    super();
    this.started = start();
    this.started.then(
      (child) => {
        this.child = child;
        child.stdout!.on('data', (d: Buffer) => {
          if (!this.push(d)) child.stdout!.pause();
        });
        child.stdout!.on('end', () => this.push(null));
        child.stderr!.on('data', (d) => (this.stderr += d));
        child.stdin!.on('error', () => {});
        child.on('close', (code) => {
          if (code && !this.destroyed) this.destroy(new EngineError(`the ssh channel to the engine closed: ${lastLine(this.stderr) || `exit code ${code}`}`));
        });
      },
      (err) => this.destroy(err),
    );
    this.started.catch(() => {});
  }
  _read(): void {
    this.child?.stdout!.resume();
  }
  _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.started.then((c) => c.stdin!.write(chunk, cb), cb);
  }
  _final(cb: (err?: Error | null) => void): void {
    this.started.then((c) => c.stdin!.end(cb), cb);
  }
  _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.child?.kill('SIGTERM');
    cb(err);
  }
  // What http.Agent calls on a net.Socket.
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  ref(): this {
    this.child?.ref();
    return this;
  }
  unref(): this {
    this.child?.unref();
    for (const s of [this.child?.stdout, this.child?.stdin, this.child?.stderr]) (s as unknown as { unref?: () => void })?.unref?.();
    return this;
  }
}

function freeLocalPort(preferred: number): Promise<number> {
  const tryPort = (p: number) =>
    new Promise<number | undefined>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen(p, '127.0.0.1', () => {
        const got = (srv.address() as { port: number }).port;
        srv.close(() => resolve(got));
      });
    });
  return tryPort(preferred).then((p) => p ?? tryPort(0).then((q) => q!));
}

export function sshLink(ep: EngineEndpoint, env: NodeJS.ProcessEnv = process.env, program = 'ssh'): SshLink {
  const target = sshTargetArgs(ep, env);
  const dest = target[target.length - 1];
  let master: Promise<string> | undefined;

  // The master connection: started on first use, ended when this process exits.
  const connect = () =>
    (master ??= new Promise<string>((resolve, reject) => {
      const dir = mkdtempSync(join(tmpdir(), 'tc-ssh-'));
      const ctl = join(dir, 'c');
      const args = ['-M', '-N', '-S', ctl, '-o', 'ControlPersist=no', '-o', 'ServerAliveInterval=15', ...target];
      log(`${program} ${args.join(' ')}`);
      const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const cleanup = () => {
        child.kill('SIGTERM');
        rmSync(dir, { recursive: true, force: true });
      };
      process.once('exit', cleanup);
      child.on('error', (err) => {
        reject((err as NodeJS.ErrnoException).code === 'ENOENT' ? new UserError(`the ssh client "${program}" is not installed`, { hint: 'install OpenSSH (apt-get install openssh-client)' }) : err);
      });
      child.on('close', (code) => {
        rmSync(dir, { recursive: true, force: true });
        reject(
          new UserError(`cannot reach the engine at ${ep.url} over ssh: ${lastLine(stderr) || `ssh exited with code ${code}`}`, {
            hint: `check that \`ssh ${dest} docker version\` works (~/.ssh/config, your agent and TRANSFERCTL_SSH_OPTS apply)`,
          }),
        );
      });
      const poll = setInterval(() => {
        if (!existsSync(ctl)) return;
        clearInterval(poll);
        child.unref();
        (child.stderr as unknown as { unref?: () => void }).unref?.();
        log(`master connection to ${dest} is up`);
        resolve(ctl);
      }, 20);
      child.on('close', () => clearInterval(poll));
    }));

  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  (agent as unknown as { createConnection: () => Duplex }).createConnection = () =>
    new ChannelSocket(async () => {
      const ctl = await connect();
      const child = spawn(program, ['-S', ctl, '-o', 'ControlMaster=no', ...target, 'docker', 'system', 'dial-stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
      return child;
    });

  return {
    agent,
    async forward(remotePort, remoteHost = '127.0.0.1') {
      const ctl = await connect();
      const local = await freeLocalPort(remotePort);
      const r = spawnSync(program, ['-S', ctl, '-O', 'forward', '-L', `127.0.0.1:${local}:${remoteHost}:${remotePort}`, ...target], { encoding: 'utf8' });
      if (r.status !== 0) throw new EngineError(`could not forward port ${remotePort} from ${dest} over ssh: ${lastLine(r.stderr) || `exit code ${r.status}`}`);
      log(`forwarding 127.0.0.1:${local} → ${dest} ${remoteHost}:${remotePort}`);
      return { host: '127.0.0.1', port: local };
    },
  };
}
