// Short-lived containers a snapshot or restore works in: labelled temporary with their owner,
// started only to delete paths, to copy from the mounted folder (copy-agent.ts) or to copy an
// archive out; removed when done (or by the janitor after a crash).
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { EngineError } from '../../errors.js';
import { failureKind, type ContainerCreateSpec, type Engine, type Labels, type MountSpec } from '../../engine/index.js';
import { baseLabels, L } from '../../labels.js';
import { MANIFEST_NAME, ownerTag } from './labels.js';
import { listFiles, writeLists, type Lists } from './lists.js';

/** Where a local engine mounts the workspace folder (read-only) for a fast copy. Under /dev, a
 * tmpfs in every container: the mount point leaves nothing in the committed layer. */
export const SOURCE_MOUNT = '/dev/.transferctl-src';
/** Where a local engine mounts the host folder with the lists (lists.ts); elsewhere they are
 * put into the container at IN_LAYER_LISTS and deleted before the commit. */
export const LISTS_MOUNT = '/dev/.transferctl';
const IN_LAYER_LISTS = '/.transferctl-lists';
/** The line the script prints once its copies are done (copy-agent.ts waits for it). */
export const COPIED_MARK = 'transferctl:copied';
// $1: the archive path; $2: the folder with the lists (lists.ts names them). In order: delete;
// copy with `cp -a --parents`; give folders whose mode changed their attributes; then, as the
// copy agent (copy-agent.ts), say "copied", copy the manifest in when stdin says so, and stay
// until stdin closes.
const SCRIPT = `set -e
A="$1"; L="$2"; export A
if [ -f "$L/delete.list" ]; then xargs -0 rm -rf -- < "$L/delete.list"; fi
if [ -f "$L/copy.list" ]; then mkdir -p "$A"; (cd ${SOURCE_MOUNT} && xargs -0 cp -a --parents -t "$A" -- < "$L/copy.list"); fi
if [ -f "$L/attrs.list" ]; then xargs -0 -n 4 sh -c 'chown -h "$2:$3" "$A/$4" && chmod "$1" "$A/$4" && touch -r "${SOURCE_MOUNT}/$4" "$A/$4"' attrs < "$L/attrs.list"; fi
if [ "$L" = ${IN_LAYER_LISTS} ]; then rm -rf "$L"; fi
if [ -f "$L/agent" ]; then
  echo ${COPIED_MARK}; read -r go
  M="$A/${MANIFEST_NAME}"; cp "$L/manifest" "$M"; chmod 644 "$M"; echo "manifest $(wc -c < "$M")"
  cat > /dev/null
fi`;

export function temporaryLabels(purpose: string, extra: Labels = {}): Labels {
  return { ...baseLabels('temporary'), [L.temporary]: purpose, [L.ownerPid]: ownerTag(), ...extra };
}

export interface TemporaryOptions {
  labels?: Labels;
  /** Host folder to mount read-only at SOURCE_MOUNT (local engines only). */
  source?: string;
  /** Host folder with the lists, mounted read-only at LISTS_MOUNT (local engines only). */
  lists?: string;
  archivePath?: string;
  /** Instead of the delete/copy script: restore's copy-out into a writable mount (see extract-local.ts). */
  run?: { script: string; args: string[]; target: string; targetIsVolume?: boolean };
}

function mountsOf(opts: TemporaryOptions): ContainerCreateSpec['mounts'] {
  if (opts.run) return [{ type: opts.run.targetIsVolume ? 'volume' : 'bind', source: opts.run.target, target: SOURCE_MOUNT }];
  const mounts: MountSpec[] = [];
  if (opts.source) mounts.push({ type: 'bind', source: opts.source, target: SOURCE_MOUNT, readOnly: true });
  if (opts.lists) mounts.push({ type: 'bind', source: opts.lists, target: LISTS_MOUNT, readOnly: true });
  return mounts.length ? mounts : undefined;
}

// The host's network: these containers only copy files, and a network namespace of their own
// (even "none") costs about as much as the rest of their start. The script's $0 leads the
// command, which a commit records as the layer's "created by" in the image history.
export async function createTemporary(engine: Engine, image: string, purpose: string, opts: TemporaryOptions = {}): Promise<string> {
  return engine.containers.create({
    name: `tc-${purpose}-tmp-${randomBytes(5).toString('hex')}`,
    image,
    entrypoint: ['/bin/sh', '-c', opts.run?.script ?? SCRIPT],
    cmd: [`transferctl-${purpose}`, ...(opts.run?.args ?? [opts.archivePath ?? '/archive', opts.lists ? LISTS_MOUNT : IN_LAYER_LISTS])],
    mounts: mountsOf(opts),
    env: {},
    user: '0',
    workingDir: '/',
    network: 'host',
    // The copy agent (copy-agent.ts) reads the manifest from stdin.
    openStdin: !!opts.lists,
    stdinOnce: !!opts.lists,
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
    if (failureKind(err) === 'not-found') return null;
    throw err;
  }
  return firstFile(stream);
}

/** Start the temporary container once to delete absolute paths (the layer records whiteouts),
 * and wait for it: the list goes into `hostLists` when it was created with that folder mounted,
 * else into the container itself. */
export async function runInTemporary(engine: Engine, id: string, remove: string[], hostLists?: string): Promise<void> {
  if (remove.length === 0) return;
  if (hostLists) writeLists(hostLists, { remove });
  else await engine.containers.putArchive(id, '/', listsTar({ remove }));
  await engine.containers.start(id);
  const code = await engine.containers.wait(id);
  if (code !== 0) {
    const logs = await engine.containers.logsText(id, 10);
    throw layerFailed(code, logs);
  }
}

export function layerFailed(code: number, output: string): EngineError {
  return new EngineError(`preparing the new layer failed (exit ${code}): ${output.trim() || 'no output'}`, {
    hint: 'the image needs /bin/sh, xargs, rm, mkdir, cp, chmod, chown and touch; nothing was tagged',
  });
}

function listsTar(lists: Lists): Readable {
  const pack = tar.pack();
  pack.entry({ name: IN_LAYER_LISTS.slice(1), type: 'directory', mode: 0o700 });
  for (const f of listFiles(lists)) pack.entry({ name: `${IN_LAYER_LISTS.slice(1)}/${f.name}`, mode: 0o600 }, f.content);
  pack.finalize();
  return pack as unknown as Readable;
}
