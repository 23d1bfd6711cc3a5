import type { Command } from '@commander-js/extra-typings';
import { configOption, jsonOption } from '../shared.js';
import { withContext } from '../context.js';
import { loadWorkspace } from '../../config/load.js';
import { info, printJson, say } from '../output.js';
import { commit, type SnapshotResult } from '../../workspace/save/index.js';

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

export function renderSnapshot(r: SnapshotResult): string {
  if (!r.created) return `Nothing changed since the last save: ${r.image} (${r.imageId.slice(7, 19)}) is current.`;
  const lines = [`${r.kind === 'save' ? 'Saved' : 'Committed'} ${r.tags.join(', ')} (${r.imageId.slice(7, 19)}) in ${r.seconds.toFixed(1)} s.`];
  if (r.archive) {
    lines.push(`  folder: ${r.archive.files} files, ${mb(r.archive.bytes)} in ${r.archive.path}; this save wrote ${r.archive.written} file(s), ${mb(r.archive.writtenBytes)}, removed ${r.archive.removed}`);
    lines.push(`  layers: ${r.base === 'previous' ? 'one new layer on the previous save' : `fresh base (${r.why})`}; ${r.archive.layers} archive layer(s)`);
  }
  lines.push(`  environment: ${r.env.changed ? `${r.env.copied} change(s) copied, ${r.env.removed} removed` : 'unchanged'}`);
  return lines.join('\n');
}

export function define(program: Command): void {
  program
    .command('commit')
    .description("turn the workspace container (with what you installed in it) into an image; the notebook keeps running")
    .addOption(configOption())
    .option('-t, --tag <tag>', 'tag to write (default: commit.tag, or a timestamp and "latest")')
    .option('--force', 'move a tag that transferctl did not create')
    .addOption(jsonOption())
    .action(async (opts) =>
      withContext({ sweep: true, sweepAtEnd: true, interruptible: true }, async (ctx) => {
      const spec = loadWorkspace({ config: opts.config });
      const engine = ctx.engine;
      const r = await commit(engine, spec, { tag: opts.tag, force: opts.force, signal: ctx.signal, swept: ctx.swept, onStep: opts.json ? undefined : info });
      if (opts.json) printJson(r);
      else say(renderSnapshot(r));
    }));
}
