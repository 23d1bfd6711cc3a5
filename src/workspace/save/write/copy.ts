// The fast copy (local engines, many bytes): `cp -a` inside the temporary container from the
// folder mounted read-only, while the files are hashed here; the manifest follows on the
// container's stdin (copy-agent.ts); the folder is checked unchanged before the commit.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { debug } from '../../../log.js';
import { assertUnchanged, manifestWith, startHashing } from '../archive-layer.js';
import { startCopyAgent } from '../copy-agent.js';
import { planCopy } from '../copy-plan.js';
import { writeLists, type FolderAttrs } from '../lists.js';
import type { ManifestEntry } from '../manifest.js';
import { announceCopy, commitTemporary, type WriteContext, type WriteMethod, type Written } from './method.js';

const log = debug('save');

function folderAttrs(hostDir: string, e: ManifestEntry): FolderAttrs {
  const st = lstatSync(join(hostDir, e.path));
  return { path: e.path, mode: e.mode, uid: st.uid, gid: st.gid };
}

async function write(ctx: WriteContext): Promise<Written> {
  const { engine, tempId, archive, lists, hostDir } = ctx;
  if (!archive || !lists) throw new Error('the fast copy needs a folder to write and a local engine');
  const { work, tally } = archive;
  announceCopy(ctx, tally.written);
  const copy = planCopy(work.write, work.previous);
  const attrs = copy.headersOnly.map((e) => folderAttrs(hostDir, e));
  writeLists(lists, { remove: ctx.step.removals, copy: copy.copy, attrs, agent: true });
  const hashing = archive.hashes ?? startHashing(hostDir, work);
  const agent = await startCopyAgent(engine, tempId, lists);
  // The environment's copy goes in meanwhile: its paths never meet the ones deleted or copied here.
  const environment = ctx.step.env === 'with' ? ctx.copyEnvironment() : Promise.resolve();
  await Promise.all([agent.copied.then(() => log(`copied ${copy.copy.length} path(s) in the container`)), environment]);
  const hashes = await hashing;
  log('hashed');
  const manifest = manifestWith(work, hashes, tally);
  const finished = agent.finish(manifest);
  finished.catch(() => {});
  // Checked while the container writes the manifest; nothing is committed before both are done.
  assertUnchanged(hostDir, work);
  log('folder unchanged');
  await finished;
  return commitTemporary(ctx, manifest);
}

export const copyWrite: WriteMethod = { name: 'cp', write };
