// A remote engine over the system ssh client: its `docker` CLI does the work there, in ONE
// ssh session per transfer (probe → one command → load → image ID; see probe.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { EngineError, UserError } from '../errors.js';
import { debug } from '../log.js';
import { parseOutcome, parseProbe, sessionCommand, sessionScript } from './probe.js';
import type { Remote, RemoteSession } from './remote.js';
import { sshArgs, sshDestination, type SshTarget } from './ssh-target.js';

const log = debug('transfer');

export interface SshRemoteOptions {
  /** `-o` options (--ssh-option). */
  options?: string[];
  /** Raw extra arguments for ssh (TRANSFERCTL_SSH_OPTS). */
  extra?: string[];
  /** The docker command there ("docker", "sudo docker", "DOCKER_HOST=… docker"). */
  docker?: string;
  /** The ssh program. */
  ssh?: string;
}

const lastLine = (s: string) => s.trim().split('\n').filter(Boolean).pop() ?? '';

export function sshRemote(target: SshTarget, opts: SshRemoteOptions = {}): Remote {
  const dest = sshDestination(target);
  const docker = opts.docker ?? 'docker';
  const program = opts.ssh ?? 'ssh';
  const args = [...sshArgs(target, { options: opts.options, extra: opts.extra }), sessionScript(docker)];
  const describe = `${dest}${target.port ? `:${target.port}` : ''} (ssh)`;

  const failure = (what: string, code: number, stderr: string): Error => {
    if (code === 255) {
      return new UserError(`cannot reach ${dest} over ssh: ${lastLine(stderr) || 'connection failed'}`, {
        hint: `check that \`ssh ${dest} docker version\` works; pass ssh options with --ssh-option or TRANSFERCTL_SSH_OPTS`,
      });
    }
    if (code === 127) {
      return new UserError(`"${docker}" was not found on ${dest}`, { hint: 'install Docker there, or name its command with --remote-docker' });
    }
    return new EngineError(`${what} on ${dest} failed: ${lastLine(stderr) || `exit code ${code}`}`, {
      hint: `run \`ssh ${dest} ${docker} info\` to see what the engine there says`,
    });
  };

  return {
    describe,
    open(signal) {
      return new Promise((resolve, reject) => {
        log(`${program} ${args.slice(0, -1).join(' ')} <session script>`);
        const child: ChildProcess = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        let probed = false;
        let phase = 'asking the engine what it holds';
        const exited = new Promise<number>((res) => child.on('close', (code, sig) => res(code ?? (sig ? 128 : 1))));
        const onAbort = () => child.kill('SIGTERM');
        signal?.addEventListener('abort', onAbort, { once: true });
        exited.then(() => signal?.removeEventListener('abort', onAbort));
        child.stdin!.on('error', () => {}); // EPIPE when the far side quits: the exit code tells
        child.stderr!.on('data', (d) => (stderr += d));
        child.on('error', (err) =>
          reject(
            (err as NodeJS.ErrnoException).code === 'ENOENT'
              ? new UserError(`the ssh client "${program}" is not installed`, { hint: 'install OpenSSH (apt-get install openssh-client)' })
              : err,
          ),
        );
        exited.then((code) => {
          if (!probed) reject(signal?.aborted ? signal.reason : failure(phase, code, stderr));
        });
        const finish = async (what: string, line: string, tar?: Readable) => {
          phase = what;
          const sent = stdout.length;
          child.stdin!.write(line);
          if (tar) {
            tar.on('error', () => child.kill('SIGTERM'));
            tar.pipe(child.stdin!);
          } else child.stdin!.end();
          const code = await exited;
          if (signal?.aborted) throw signal.reason;
          if (code !== 0) throw failure(what, code, stderr);
          return parseOutcome(stdout.slice(sent));
        };
        /** One step: a command line (and a sized tarball), answered by a K|status line. */
        const waiters: (() => void)[] = [];
        const answered = (from: number) =>
          new Promise<string>((res, rej) => {
            const look = () => {
              const rest = stdout.slice(from);
              const m = /(^|\n)K\|(\d+)\n/.exec(rest);
              if (m && m[2] === '0') return void res(rest.slice(0, m.index));
              if (m) {
                return void rej(new EngineError(`${phase} on ${dest} failed: ${lastLine(stderr) || `exit code ${m[2]}`}`, { hint: `run \`ssh ${dest} ${docker} info\` to see what the engine there says` }));
              }
              if (child.exitCode !== null || child.signalCode !== null) return void rej(signal?.aborted ? signal.reason : failure(phase, child.exitCode ?? 255, stderr));
              waiters.push(look);
            };
            look();
          });
        exited.then(() => waiters.splice(0).forEach((w) => w()));
        const step = async (what: string, line: string, tar?: Readable): Promise<string> => {
          phase = what;
          const from = stdout.length;
          child.stdin!.write(line);
          if (tar) {
            await new Promise<void>((res, rej) => {
              tar.on('error', (e) => {
                child.kill('SIGTERM');
                rej(e);
              });
              tar.on('end', () => res());
              tar.pipe(child.stdin!, { end: false });
            });
          }
          return answered(from);
        };
        let raw: PassThrough | undefined;
        child.stdout!.on('data', (d: Buffer) => {
          if (raw) {
            if (!raw.write(d)) {
              child.stdout!.pause();
              raw.once('drain', () => child.stdout!.resume());
            }
            return;
          }
          stdout += d;
          waiters.splice(0).forEach((w) => w());
          if (!probed && /(^|\n)E\|\n/.test(stdout)) {
            probed = true;
            const session: RemoteSession = {
              state: parseProbe(stdout),
              loadStep: async (tar, size) => {
                const out = await step('docker load (one layer)', sessionCommand({ step: size }), tar);
                return parseOutcome(out).loaded.map((l) => /sha256:[0-9a-f]{64}/.exec(l)?.[0]).find(Boolean) ?? null;
              },
              remove: async (ids) => {
                if (ids.length) await step('docker rmi', sessionCommand({ remove: ids }));
              },
              load: (tar, ref) => finish('docker load', sessionCommand({ load: ref }), tar),
              tag: async (id, ref) => (await finish(`docker tag ${ref}`, sessionCommand({ tag: ref, id }))).imageId,
              check: async (ref) => (await finish('image inspect', sessionCommand({ check: ref }))).imageId,
              save: (ref, drop) => {
                raw = new PassThrough({ highWaterMark: 1 << 20 });
                const out = raw;
                phase = `docker save ${ref}`;
                child.stdin!.end(sessionCommand({ save: ref, drop }));
                out.on('close', () => {
                  if (child.exitCode === null) child.kill('SIGTERM');
                });
                exited.then((code) => {
                  if (signal?.aborted) out.destroy(signal.reason);
                  else if (code !== 0) out.destroy(failure(code === 6 ? `docker save ${ref} | tar --delete` : phase, code, stderr));
                  else out.end();
                });
                return out;
              },
              close: () => {
                child.stdin!.end(sessionCommand('quit'));
              },
            };
            resolve(session);
          }
        });
      });
    },
  };
}
