// Command registry: names, aliases and one-line summaries; modules load only when run.
import type { Command } from '@commander-js/extra-typings';

export interface CommandModule {
  /** Add this command (with its options and action) to the program. */
  define(program: Command): void;
}

export interface CommandEntry {
  name: string;
  aliases?: string[];
  summary: string;
  load: () => Promise<CommandModule>;
  /** Left out of --help and suggestions (the completion scripts' helper). */
  hidden?: boolean;
}

export const commands: CommandEntry[] = [
  { name: 'init', summary: 'write transfer.json and a .dockerignore for this folder; say what its files will do', load: () => import('./commands/init.js') },
  { name: 'build', summary: "build the workspace's image", load: () => import('./commands/build.js') },
  { name: 'up', aliases: ['start'], summary: 'start the workspace (building it if needed) and print its URL', load: () => import('./commands/up.js') },
  { name: 'stop', summary: "stop the workspace's container (kept for the next `up`)", load: () => import('./commands/stop.js') },
  { name: 'rm', aliases: ['delete'], summary: "remove the workspace's container", load: () => import('./commands/rm.js') },
  { name: 'status', aliases: ['ps'], summary: 'list every transferctl workspace on the engine', load: () => import('./commands/status.js') },
  { name: 'logs', summary: "show the notebook server's output", load: () => import('./commands/logs.js') },
  { name: 'shell', summary: 'open a shell in the workspace, as you', load: () => import('./commands/shell.js') },
  { name: 'exec', summary: 'run a command in the workspace, as you', load: () => import('./commands/exec.js') },
  { name: 'base', summary: 'make or load a Jupyter base image without a registry', load: () => import('./commands/base.js') },
  { name: 'schema', summary: 'print the JSON Schema of transfer.json', load: () => import('./commands/schema.js') },
  { name: 'image', summary: 'build, run, show and publish the images of a project (docker/<name>/Dockerfile, docker/run.cfg)', load: () => import('./commands/image.js') },
  { name: 'build-image', summary: 'seed 004\'s name for `image build NAME`', load: () => import('./commands/build-image.js') },
  { name: 'run-image', summary: 'seed 004\'s name for `image run NAME [-- CMD]`', load: () => import('./commands/run-image.js') },
  { name: 'publish-image', summary: 'seed 004\'s name for `image publish NAME`', load: () => import('./commands/publish-image.js') },
  { name: 'commit', summary: 'turn the workspace container (with what you installed) into an image', load: () => import('./commands/commit.js') },
  { name: 'save', summary: 'save environment and workspace folder into the image (only changes after the first)', load: () => import('./commands/save.js') },
  { name: 'restore', summary: "bring a saved image's folder back into a host folder, checked file by file", load: () => import('./commands/restore.js') },
  { name: 'push', summary: 'push the saved image to commit.repo with your Docker credentials', load: () => import('./commands/push.js') },
  { name: 'pull', summary: 'pull a saved image from its registry with your Docker credentials', load: () => import('./commands/push.js') },
  { name: 'transfer', summary: 'send an image to another host over ssh, only the layers it lacks', load: () => import('./commands/transfer.js') },
  { name: 'transfer-image', summary: "seed 004's name for `transfer IMAGE HOST`", load: () => import('./commands/transfer-image.js') },
  { name: 'genversion', summary: "write _version.py.bld (versioneer's get_versions() from git) into the project root", load: () => import('./commands/genversion.js') },
  { name: 'export', summary: 'write an image to a tarball, without the layers of named base images', load: () => import('./commands/export.js') },
  { name: 'import', summary: 'load a tarball from `export` (says which base is missing, if one is)', load: () => import('./commands/import.js') },
  { name: 'doctor', summary: 'check the engine, base images, disk, GPU runtime, ssh and registry; say what to do', load: () => import('./commands/doctor.js') },
  { name: 'completion', summary: 'print a shell completion script (bash, zsh or fish)', load: () => import('./commands/completion.js') },
  { name: '__complete', summary: 'candidates for shell completion', hidden: true, load: () => import('./commands/completion.js') },
  { name: 'serve', summary: "serve temporary notebooks to a workshop's visitors (pool, proxy, culler, admin)", load: () => import('./commands/serve.js') },
];

export function findCommand(name: string): CommandEntry | undefined {
  return commands.find((c) => c.name === name || c.aliases?.includes(name));
}

export function allNames(): string[] {
  return commands.filter((c) => !c.hidden).flatMap((c) => [c.name, ...(c.aliases ?? [])]);
}

/** Seed 000's flag form, in the order the flags run: build → start → … */
export const SEED_FLAGS: [flag: string, command: string][] = [
  ['--build', 'build'],
  ['--start', 'up'],
  ['--commit', 'commit'],
  ['--save', 'save'],
  ['--push', 'push'],
  ['--stop', 'stop'],
  ['--delete', 'rm'],
];
