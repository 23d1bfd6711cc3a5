// The janitor: temporary containers and unfinished images that a killed transferctl run
// left behind (labelled with their owner "host:pid"), and its lists folders on this machine
// (named with its pid), are removed by the next run.
import type { Engine } from '../engine/index.js';
import { debug } from '../log.js';
import { L } from '../labels.js';
import { ownerGone, S } from './save/labels.js';
import { sweepListsDirs } from './save/lists.js';

const log = debug('janitor');

export interface SweepResult {
  containers: string[];
  images: string[];
}

export async function sweepTemporaries(engine: Engine, now = Date.now()): Promise<SweepResult> {
  const out: SweepResult = { containers: [], images: [] };
  // A save's host folder for its temporary container's lists (a local engine's).
  for (const name of sweepListsDirs((pid, created) => ownerGone(pid, created, now))) log(`removed leftover lists folder ${name}`);
  // Both lists at once: the sweep runs beside every workspace command, which waits for it before exit.
  const [containers, images] = await Promise.all([
    engine.containers.list({ labels: [L.temporary], all: true }),
    engine.images.list({ labels: [S.kind, `${L.managed}=true`], danglingOnly: true }),
  ]);
  for (const c of containers) {
    const value = c.labels[L.temporary];
    if (!value || value === 'false' || c.labels[L.managed] !== 'true') continue;
    if (!ownerGone(c.labels[L.ownerPid], c.created * 1000, now)) continue;
    log(`removing leftover temporary container ${c.name} (owner ${c.labels[L.ownerPid] ?? '?'} is gone)`);
    await engine.containers.remove(c.id, { force: true }).catch(() => {});
    out.containers.push(c.name);
  }
  // Snapshot images that never got their tag (the run died between commit and tag).
  for (const img of images) {
    if (img.repoTags.some((t) => t !== '<none>:<none>')) continue;
    if (!ownerGone(img.labels[L.ownerPid], img.created * 1000, now)) continue;
    log(`removing unfinished snapshot image ${img.id.slice(7, 19)}`);
    try {
      await engine.images.remove(img.id);
      out.images.push(img.id);
    } catch {
      // in use by a container, or a parent: keep it
    }
  }
  return out;
}
