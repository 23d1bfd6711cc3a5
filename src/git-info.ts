// Version facts from git (revision, dirty flag, describe) without sending .git anywhere.
import { execFileSync } from 'node:child_process';

export interface GitInfo {
  revision?: string;
  dirty: boolean;
  describe?: string;
  remote?: string;
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim();
  } catch {
    return undefined;
  }
}

export function gitInfo(cwd: string): GitInfo {
  const revision = git(cwd, ['rev-parse', 'HEAD']);
  if (!revision) return { dirty: false };
  const status = git(cwd, ['status', '--porcelain', '--untracked-files=no']);
  return {
    revision,
    dirty: !!status,
    describe: git(cwd, ['describe', '--tags', '--always', '--dirty']),
    remote: git(cwd, ['config', '--get', 'remote.origin.url']),
  };
}
