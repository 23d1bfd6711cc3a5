// Where commit/save put the image: commit.repo/commit.name:TAG (seed 000), or <image>-saved.
import { UserError } from '../../errors.js';
import type { WorkspaceSpec } from '../../config/types.js';
import { splitRef } from '../../image-ref.js';
import { DEFAULT_ARCHIVE_PATH, DEFAULT_SQUASH_AFTER } from './labels.js';

const REPO = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** "registry/ns/name" without a tag. */
export function snapshotRepo(spec: WorkspaceSpec): string {
  const name = spec.commit?.name ?? `${splitRef(spec.image.name)[0]}-saved`;
  const repo = spec.commit?.repo ? `${spec.commit.repo.replace(/\/+$/, '')}/${name}` : name;
  if (!REPO.test(repo)) {
    throw new UserError(`"${repo}" is not a valid image repository (from commit.repo / commit.name)`, {
      hint: 'use lowercase letters, digits, ".", "_" and "-", e.g. "repo": "127.0.0.1:5000/team", "name": "my-notebook"',
      exitCode: 2,
    });
  }
  return repo;
}

export function timestampTag(now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
}

/** The tags a new snapshot gets: the configured one, or a timestamp plus "latest". */
export function snapshotTags(spec: WorkspaceSpec, now = new Date(), explicit?: string): string[] {
  const tag = explicit ?? spec.commit?.tag;
  if (tag) {
    if (!TAG.test(tag)) throw new UserError(`"${tag}" is not a valid image tag`, { hint: 'letters, digits, "_", "." and "-", at most 128', exitCode: 2 });
    return [tag];
  }
  return [timestampTag(now), 'latest'];
}

/** The tag that names the workspace's current snapshot. */
export function currentRef(spec: WorkspaceSpec, explicit?: string): string {
  return `${snapshotRepo(spec)}:${explicit ?? spec.commit?.tag ?? 'latest'}`;
}

export function archivePathOf(spec: WorkspaceSpec): string {
  return spec.raw.save?.['archive-path'] ?? DEFAULT_ARCHIVE_PATH;
}

export function squashAfterOf(spec: WorkspaceSpec): number {
  return spec.raw.save?.['squash-after'] ?? DEFAULT_SQUASH_AFTER;
}
