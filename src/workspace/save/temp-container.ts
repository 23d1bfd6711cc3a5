// Short-lived containers a snapshot or restore works in: labelled temporary with their owner,
// never started except to delete paths, removed when done (or by the janitor after a crash).
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { EngineError } from '../../errors.js';
import type { Engine, Labels } from '../../engine/index.js';
import { baseLabels, L } from '../labels.js';
import { ownerTag } from './labels.js';

export const DELETE_LIST = '/.transferctl-delete.list';
export const COPY_LIST = '/.transferctl-copy.list';
/** Where a local engine mounts the workspace folder (read-only) for a fast copy. */
export const SOURCE_MOUNT = '/mnt';
// Started only to delete paths and/or copy from the mounted folder; $1 is the archive path.
const SCRIPT = [
  'set -e',
  `if [ -f ${DELETE_LIST} ]; then xargs -0 rm -rf -- < ${DELETE_LIST}; rm -f ${DELETE_LIST}; fi`,
  `if [ -f ${COPY_LIST} ]; then mkdir -p "$1"; cd ${SOURCE_MOUNT}; xargs -0 cp -a --parents -t "$1" -- < ${COPY_LIST}; rm -f ${COPY_LIST}; fi`,
].join('\n');

export function temporaryLabels(purpose: string, extra: Labels = {}): Labels {
  return { ...baseLabels('temporary'), [L.temporary]: purpose, [L.ownerPid]: ownerTag(), ...extra };
}

export interface TemporaryOptions {
  labels?: Labels;
  /** Host folder to mount read-only at SOURCE_MOUNT (local engines only). */
  source?: string;
  archivePath?: string;
  /** Instead of the delete/copy script: restore's copy-out into a writable mount (see extract-local.ts). */
  run?: { script: string; args: string[]; target: string };
}

export async function createTemporary(engine: Engine, image: string, purpose: string, opts: TemporaryOptions = {}): Promise<string> {
  return engine.containers.create({
    name: `tc-${purpose}-tmp-${randomBytes(5).toString('hex')}`,
    image,
    entrypoint: ['/bin/sh', '-c', opts.run?.script ?? SCRIPT, 'transferctl'],
    cmd: opts.run?.args ?? [opts.archivePath ?? '/archive'],
    mounts: opts.run
      ? [{ type: 'bind', source: opts.run.target, target: SOURCE_MOUNT }]
      : opts.source
        ? [{ type: 'bind', source: opts.source, target: SOURCE_MOUNT, readOnly: true }]
        : undefined,
    env: {},
    user: '0',
    workingDir: '/',
    network: 'none',
    labels: temporaryLabels(purpose, opts.labels),
  });
}

async function firstFile(stream: Readable): Promise<Buffer | null> {
  const extract = tar.extract();
  stream.pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    stream.destroy();
    return entry.header.type === 'file' ? Buffer.concat(chunks) : null;
  }
  return null;
}

/** A file's bytes from a (created or running) container, or null when it is not there. */
export async function readContainerFile(engine: Engine, id: string, path: string): Promise<Buffer | null> {
  let stream: Readable;
  try {
    stream = await engine.containers.getArchive(id, path);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
  return firstFile(stream);
}

function nulList(name: string, paths: string[]): { name: string; content: Buffer } {
  return { name, content: Buffer.from(paths.map((p) => p + '\0').join('')) };
}

/** Run the temporary container once: delete absolute paths (the layer records whiteouts),
 * then copy folder-relative paths from the mounted folder into the archive path. */
export async function runInTemporary(engine: Engine, id: string, work: { remove: string[]; copy?: string[] }): Promise<void> {
  const copy = work.copy ?? [];
  if (work.remove.length === 0 && copy.length === 0) return;
  const pack = tar.pack();
  if (work.remove.length) {
    const f = nulList(DELETE_LIST.slice(1), work.remove);
    pack.entry({ name: f.name, mode: 0o600 }, f.content);
  }
  if (copy.length) {
    const f = nulList(COPY_LIST.slice(1), copy);
    pack.entry({ name: f.name, mode: 0o600 }, f.content);
  }
  pack.finalize();
  await engine.containers.putArchive(id, '/', pack as unknown as Readable);
  await engine.containers.start(id);
  const code = await engine.containers.wait(id);
  if (code !== 0) {
    const logs = await engine.containers.logsText(id, 10);
    throw new EngineError(`preparing the new layer failed (exit ${code}): ${logs.trim() || 'no output'}`, {
      hint: 'the image needs /bin/sh, xargs, rm and cp; nothing was tagged',
    });
  }
}
