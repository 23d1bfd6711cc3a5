// `up --from IMAGE [DIR]` (called from up.ts): restore a saved image's folder, then start it.
import { connectEngine } from '../../engine/index.js';
import { upFrom } from '../../workspace/up-from.js';
import type { UpResult } from '../../workspace/up.js';
import { withInterrupt } from '../interrupt.js';
import { info, printJson, progressPrinter, say, warn } from '../output.js';

export interface UpFromCliOptions {
  port?: number;
  address?: string;
  force?: boolean;
  timeout: number;
  json?: boolean;
}

export async function runUpFrom(image: string, dir: string | undefined, opts: UpFromCliOptions): Promise<UpResult> {
  const engine = await connectEngine();
  const r = await withInterrupt((signal) =>
    upFrom(engine, {
      image,
      dir,
      forceRestore: opts.force,
      up: {
        port: opts.port,
        address: opts.address,
        timeoutMs: opts.timeout * 1000,
        signal,
        onProgress: progressPrinter(!!opts.json),
        onStep: opts.json ? undefined : info,
      },
    }),
  );
  for (const n of r.up.notes) warn(n);
  if (opts.json) printJson(r);
  else {
    say(`Restored ${r.restored.files} files from ${image} into ${r.dir}; workspace ${r.up.container} is up.`);
    say(r.up.url);
  }
  return r.up;
}
