// `transfer --workspace HOST`: the saved workspace goes to another Docker host and starts there.
// Refuses while the folder or container holds unsaved work (or saves first with --save), sends
// the saved image thinly over ssh, then runs `up --from` through HOST's engine as an ssh://
// engine (its `docker` CLI only; no transferctl there). The caller holds the port forward.
import { resolve } from 'node:path';
import type { CommandContext } from '../context.js';
import { info, progressPrinter } from '../output.js';
import { loadWorkspace } from '../../config/load.js';
import { engineAt } from '../../engine/index.js';
import { UserError } from '../../errors.js';
import { currentRef, save, unsavedChanges } from '../../workspace/save/index.js';
import { upFrom, type UpFromResult } from '../../workspace/up-from.js';
import { resolveRemote } from '../../transfer/resolve-remote.js';
import { parseSshTarget } from '../../transfer/ssh-target.js';
import { transferImage, type TransferProgress, type TransferResult } from '../../transfer/transfer.js';

export interface WorkspaceTransferInput {
  host: string;
  config?: string;
  /** Save first instead of refusing when something is unsaved. */
  save?: boolean;
  /** The folder on HOST's side to restore into and mount (default: <folder>-transferred beside this one). */
  dir?: string;
  force?: boolean;
  sshOptions?: string[];
  remoteDocker?: string;
  timeout: number;
  json?: boolean;
  onProgress?: (p: TransferProgress) => void;
}

export interface WorkspaceTransferResult {
  image: string;
  saved: boolean;
  transfer: TransferResult;
  started: UpFromResult;
}

/** ssh://user@host:port for the engine there (DOCKER_HOST style), from what `transfer` accepts. */
export function engineUrlFor(host: string): string {
  const t = parseSshTarget(host);
  const h = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `ssh://${t.user ? `${encodeURIComponent(t.user)}@` : ''}${h}${t.port ? `:${t.port}` : ''}`;
}

/** What is unsaved, in words ("the container's packages, 3 paths of the folder"). */
export function describeUnsaved(u: { env: boolean; paths: number }): string {
  const parts = [];
  if (u.paths) parts.push(`${u.paths} path${u.paths === 1 ? '' : 's'} of the folder`);
  if (u.env) parts.push("packages or files installed in the container");
  return parts.join(' and ');
}

export async function run(input: WorkspaceTransferInput, ctx: CommandContext): Promise<WorkspaceTransferResult> {
  const spec = loadWorkspace({ config: input.config, needHostDir: true });
  const engine = await ctx.connect();
  const step = input.json ? undefined : info;
  const image = currentRef(spec);
  const dir = resolve(input.dir ?? `${spec.volume.hostDir}-transferred`);
  const remote = resolveRemote({ host: input.host, sshOptions: input.sshOptions, remoteDocker: input.remoteDocker });
  const target = engineAt(engineUrlFor(input.host), '--workspace');
  let saved = false;
  if (input.save) {
    const r = await save(engine, spec, { signal: ctx.signal, swept: ctx.swept, onStep: step });
    saved = r.created;
  } else {
    step?.('checking for unsaved changes');
    if (!(await engine.images.inspect(image))) {
      throw new UserError(`workspace ${spec.identity} has not been saved yet: there is nothing to send`, {
        hint: 'run `transferctl save` first, or pass --save to save before sending',
      });
    }
    const u = await unsavedChanges(engine, spec, { signal: ctx.signal, swept: ctx.swept });
    if (u) {
      const what = u.neverSaved ? `${image} is not a save of it as it is now: ${u.why}` : `${describeUnsaved(u)} that ${image} does not hold`;
      throw new UserError(`workspace ${spec.identity} has unsaved changes (${what})`, {
        hint: 'run `transferctl save` first, or pass --save to save before sending',
      });
    }
  }
  const transfer = await transferImage({ engine, image, remote, force: input.force, signal: ctx.signal, onProgress: input.onProgress });
  for (const n of transfer.notes) step?.(n);
  step?.(`starting ${image} on ${remote.describe} (up --from through its engine)`);
  const started = await upFrom(target, {
    image,
    dir,
    up: { timeoutMs: input.timeout * 1000, signal: ctx.signal, onProgress: progressPrinter(!!input.json), onStep: step },
  });
  return { image, saved, transfer, started };
}

export function render(r: WorkspaceTransferResult): string {
  const t = r.transfer;
  const sent = t.mode === 'none' ? 'already there' : `${t.layers.sent} of ${t.layers.total} layers, ${(t.bytesSent / 1e6).toFixed(1)} MB`;
  return `${r.saved ? 'Saved, then sent' : 'Sent'} ${r.image} to ${t.target} (${sent}); workspace ${r.started.up.container} is up there, folder ${r.started.folderVolume ? `volume ${r.started.folderVolume} there (a copy is in ${r.started.dir} here)` : r.started.dir}.\n${r.started.up.url}`;
}
