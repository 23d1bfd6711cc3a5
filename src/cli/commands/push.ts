// `push` and `pull`: a saved image to and from its registry, with the user's Docker credentials.
import type { Command as Program } from '@commander-js/extra-typings';
import { configOption, jsonOption } from '../shared.js';
import { execute, type CommandContext } from '../context.js';
import { info, progressPrinter } from '../output.js';
import { loadWorkspace } from '../../config/load.js';
import { pullImage, pushImage, type TransferResult } from '../../workspace/push.js';
import { currentRef } from '../../workspace/save/index.js';

export interface RegistryInput {
  /** Default: this workspace's latest save or commit. */
  image?: string;
  config?: string;
  json?: boolean;
}

async function move(direction: 'push' | 'pull', input: RegistryInput, ctx: CommandContext) {
  const ref = input.image ?? currentRef(loadWorkspace({ config: input.config }));
  const engine = await ctx.connect();
  await ctx.swept;
  if (!input.json) info(`${direction === 'push' ? 'pushing' : 'pulling'} ${ref}`);
  const onProgress = progressPrinter(!!input.json);
  return direction === 'push' ? pushImage(engine, ref, { onProgress }) : pullImage(engine, ref, { onProgress });
}

export const push = {
  run: (input: RegistryInput, ctx: CommandContext): Promise<TransferResult> => move('push', input, ctx),
  render: (r: TransferResult) => `Pushed ${r.refs.join(', ')} to ${r.registry}${r.digest ? ` (${r.digest})` : ''} in ${r.seconds.toFixed(1)} s.`,
};

export const pull = {
  run: (input: RegistryInput, ctx: CommandContext) => move('pull', input, ctx) as Promise<TransferResult & { imageId: string }>,
  render: (r: TransferResult & { imageId: string }) => `Pulled ${r.refs[0]} (${r.imageId.slice(7, 19)}) from ${r.registry} in ${r.seconds.toFixed(1)} s.`,
};

const WORDS = {
  push: ['push the saved image (all its tags in commit.repo/commit.name) with the credentials of your Docker config', "image to push (default: this workspace's latest save or commit)"],
  pull: ['pull a saved image from its registry with the credentials of your Docker config', "image to pull (default: this workspace's commit.repo/commit.name:latest)"],
} as const;

export function define(program: Program): void {
  for (const name of ['push', 'pull'] as const) {
    const [description, image] = WORDS[name];
    program
      .command(name)
      .description(description)
      .argument('[image]', image)
      .addOption(configOption())
      .addOption(jsonOption())
      .action(async (ref, opts) => {
        const input = { image: ref, ...opts };
        if (name === 'push') await execute(push, input, { sweep: true });
        else await execute(pull, input, { sweep: true });
      });
  }
}
