// From the command line to a Remote: [user@]host or ssh:// → system ssh; --engine tcp://,
// unix:// → the Engine API; --engine ssh:// → system ssh as well (so ~/.ssh/config applies).
import { UserError } from '../errors.js';
import { engineAt } from '../engine/index.js';
import { apiRemote } from './remote-api.js';
import { sshRemote } from './remote-ssh.js';
import { parseSshTarget, splitSshOpts } from './ssh-target.js';
import type { Remote } from './remote.js';

export interface RemoteInput {
  host?: string;
  engine?: string;
  sshOptions?: string[];
  remoteDocker?: string;
  env?: NodeJS.ProcessEnv;
}

export function resolveRemote(input: RemoteInput, env: NodeJS.ProcessEnv = input.env ?? process.env): Remote {
  if (input.host && input.engine) {
    throw new UserError('name the target once: either HOST or --engine URL', { hint: 'e.g. `transferctl transfer IMAGE user@host`', exitCode: 2 });
  }
  const target = input.host ?? input.engine;
  if (!target) {
    throw new UserError('where to? name a HOST ([user@]host or ssh://user@host:port) or --engine URL', { exitCode: 2 });
  }
  const ssh = { options: input.sshOptions, extra: splitSshOpts(env.TRANSFERCTL_SSH_OPTS), docker: input.remoteDocker };
  if (input.engine && !input.engine.startsWith('ssh://')) return apiRemote(engineAt(input.engine, '--engine'));
  return sshRemote(parseSshTarget(target), ssh);
}
