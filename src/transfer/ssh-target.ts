// "[user@]host" or "ssh://user@host:port" → the system ssh client's arguments. The user's
// ssh config, agent and known_hosts apply because the real `ssh` runs.
import { UserError } from '../errors.js';

export interface SshTarget {
  user?: string;
  host: string;
  port?: number;
}

export function parseSshTarget(text: string): SshTarget {
  if (text.startsWith('ssh://')) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new UserError(`"${text}" is not an ssh address`, { hint: 'use ssh://USER@HOST:PORT or USER@HOST' });
    }
    if (!url.hostname) throw new UserError(`"${text}" names no host`, { hint: 'use ssh://USER@HOST:PORT or USER@HOST' });
    return {
      user: url.username ? decodeURIComponent(url.username) : undefined,
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : undefined,
    };
  }
  const m = /^(?:([^@\s/]+)@)?([^@\s/:]+|\[[0-9a-fA-F:]+\])$/.exec(text);
  if (!m) {
    throw new UserError(`"${text}" is not a host to reach over ssh`, {
      hint: 'use HOST, USER@HOST or ssh://USER@HOST:PORT (an engine URL such as tcp://… goes to --engine)',
    });
  }
  return { user: m[1], host: m[2].replace(/^\[|\]$/g, '') };
}

export function sshDestination(t: SshTarget): string {
  return t.user ? `${t.user}@${t.host}` : t.host;
}

/** Split TRANSFERCTL_SSH_OPTS ("-i key -o A=B"); quotes group words. */
export function splitSshOpts(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** Arguments before the remote command: extra options, -o options, port, destination. */
export function sshArgs(t: SshTarget, opts: { options?: string[]; extra?: string[] } = {}): string[] {
  return [
    ...(opts.extra ?? []),
    ...(opts.options ?? []).flatMap((o) => ['-o', o]),
    ...(t.port ? ['-p', String(t.port)] : []),
    '--',
    sshDestination(t),
  ];
}
