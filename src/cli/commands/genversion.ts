// Seed 004's `genversion`: write _version.py.bld (versioneer's get_versions() from git) and
// _version.json.bld into the project root, for a Dockerfile to COPY instead of sending .git.
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { execute, type CommandContext } from '../context.js';
import { jsonOption } from '../shared.js';
import { findProjectRoot } from '../../project/discover.js';
import { writeVersionFiles } from '../../project/build.js';
import { versionArgs, versionStamp } from '../../project/version-stamp.js';

export interface GenversionInput {
  root?: string;
  force?: boolean;
  json?: boolean;
  cwd?: string;
}

export interface GenversionResult {
  root: string;
  version: string;
  commit: string | null;
  written: string[];
}

/** The root: --root, else the nearest folder with docker/<name>/Dockerfile, else this folder. */
export async function run(input: GenversionInput, _ctx?: CommandContext): Promise<GenversionResult> {
  const cwd = input.cwd ?? process.cwd();
  const root = input.root ? resolve(cwd, input.root) : (findProjectRoot(cwd) ?? resolve(cwd));
  const stamp = versionStamp(root);
  const written = writeVersionFiles(root, stamp, input.force);
  return { root, version: versionArgs(stamp).VERSION, commit: stamp.commit ?? null, written };
}

export function render(r: GenversionResult): string {
  return `Wrote ${r.written.join(' and ')}: version ${r.version}${r.commit ? ` (${r.commit.slice(0, 12)})` : ' (not a git checkout)'}.`;
}

export function define(program: Command): void {
  program
    .command('genversion')
    .description("write _version.py.bld (versioneer's get_versions() from git) and _version.json.bld into the project root")
    .option('--root <dir>', 'project folder (default: the nearest folder with docker/<name>/Dockerfile, else this one)')
    .option('--force', 'overwrite version files transferctl did not write')
    .addOption(jsonOption())
    .action(async (opts) => {
      await execute({ run, render }, opts);
    });
}
