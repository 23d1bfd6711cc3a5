// Writes a snapshot's new layer as the plan says: its method, and the plan's fallback when
// the engine cannot load a partial image (quietly: the user sees one write).
import { debug } from '../../../log.js';
import { PartialLoadUnsupported } from '../layer-load.js';
import type { MethodName, SavePlan } from '../plan.js';
import { copyWrite } from './copy.js';
import { environmentWrite } from './environment.js';
import { loadWrite } from './load.js';
import { tarWrite } from './tar.js';
import type { WriteContext, Written } from './method.js';

export type { WriteContext, Written } from './method.js';

const log = debug('save');

const METHODS = { load: loadWrite, cp: copyWrite, tar: tarWrite, environment: environmentWrite } as const;

export async function writeLayer(ctx: Omit<WriteContext, 'step'>, plan: Extract<SavePlan, { action: 'write' }>): Promise<Written & { method: MethodName }> {
  const { write, fallback } = plan;
  try {
    return { ...(await METHODS[write.method].write({ ...ctx, step: write })), method: write.method };
  } catch (err) {
    if (!(err instanceof PartialLoadUnsupported) || !fallback) throw err;
    log(`the engine cannot load a partial image (${err.message}); writing through the temporary container`);
    // The stages were reported on the way to the load; the fallback's lines go to the debug log.
    const quiet = { ...ctx, step: fallback, say: (m: string) => log(m), reached: async () => {} };
    return { ...(await METHODS[fallback.method].write(quiet)), method: fallback.method };
  }
}
