// Committing a container with an explicit image config, and reading its filesystem changes.
// dockerode's container.commit() only sends query parameters; POST /commit also takes a body
// (a container config) that becomes the new image's config. Beware: the engine fills every
// field the body leaves empty from the container's own config, and appends the container's
// environment variables whose names the body does not set — so commit containers whose own
// config is already clean (see src/workspace/save/).
import type Docker from 'dockerode';
import { call } from './errors.js';
import type { EngineEndpoint, Labels } from './types.js';
import { overlayChanges, overlayDirs } from './overlay-changes.js';

export interface ImageConfigSpec {
  env: string[];
  cmd: string[];
  /** An empty list means "no entrypoint" (never inherited from the container). */
  entrypoint: string[];
  user: string;
  workingDir: string;
  exposedPorts: string[];
  labels: Labels;
  stopSignal?: string;
}

export interface CommitWithConfigOptions {
  config: ImageConfigSpec;
  /** Leave empty for an untagged image (tag it once it is complete). */
  repo?: string;
  tag?: string;
  comment?: string;
  /** Pause a running container while committing (default: true; stopped containers need not). */
  pause?: boolean;
}

export type FsChangeKind = 'modified' | 'added' | 'deleted';

export interface FsChange {
  path: string;
  kind: FsChangeKind;
}

export function toCommitBody(config: ImageConfigSpec): Record<string, unknown> {
  return {
    Env: config.env,
    Cmd: config.cmd,
    Entrypoint: config.entrypoint,
    User: config.user,
    WorkingDir: config.workingDir,
    ExposedPorts: Object.fromEntries(config.exposedPorts.map((p) => [p, {}])),
    Labels: config.labels,
    ...(config.stopSignal ? { StopSignal: config.stopSignal } : {}),
  };
}

const KINDS: FsChangeKind[] = ['modified', 'added', 'deleted'];

export async function commitWithConfig(docker: Docker, ep: EngineEndpoint, id: string, opts: CommitWithConfigOptions): Promise<string> {
  const query: Record<string, string> = { container: id, pause: String(opts.pause ?? true) };
  if (opts.repo) query.repo = opts.repo;
  if (opts.tag) query.tag = opts.tag;
  if (opts.comment) query.comment = opts.comment;
  const res = await call(ep, `commit ${id.slice(0, 12)}`, () =>
    new Promise<{ Id: string }>((resolve, reject) => {
      docker.modem.dial(
        {
          path: '/commit?',
          method: 'POST',
          options: { _query: query, _body: toCommitBody(opts.config) },
          statusCodes: { 200: true, 201: true, 404: 'no such container', 500: 'server error' },
        },
        (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as { Id: string })),
      );
    }),
  );
  return res.Id;
}

export async function containerChanges(docker: Docker, ep: EngineEndpoint, id: string): Promise<FsChange[]> {
  if (ep.socketPath) {
    const info = await call(ep, `inspect container ${id}`, () => docker.getContainer(id).inspect());
    const dirs = overlayDirs(info.GraphDriver as { Name?: string; Data?: Record<string, string> });
    const fast = dirs ? overlayChanges(dirs) : null;
    if (fast) return fast;
  }
  const list = (await call(ep, `changes of ${id.slice(0, 12)}`, () => docker.getContainer(id).changes())) as
    | { Path: string; Kind: number }[]
    | null;
  return (list ?? []).map((c) => ({ path: c.Path, kind: KINDS[c.Kind] ?? 'modified' }));
}
