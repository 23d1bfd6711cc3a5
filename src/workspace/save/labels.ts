// Labels a saved or committed image carries: enough to continue, restore and rebase it.
import { hostname } from 'node:os';

export const S = {
  kind: 'org.transferctl.save.kind',
  archivePath: 'org.transferctl.save.archive-path',
  archiveLayers: 'org.transferctl.save.archive-layers',
  files: 'org.transferctl.save.files',
  bytes: 'org.transferctl.save.bytes',
  /** sha256 of the archive's manifest file (manifest-cache.ts). */
  manifestSha256: 'org.transferctl.save.manifest-sha256',
  /** The image the environment changes were taken relative to (the container's image). */
  envBase: 'org.transferctl.save.env-base',
  envFingerprint: 'org.transferctl.save.env-fingerprint',
  sourceContainer: 'org.transferctl.save.container',
} as const;

export type SnapshotKind = 'save' | 'commit';

export const DEFAULT_ARCHIVE_PATH = '/archive';
export const DEFAULT_SQUASH_AFTER = 20;
/** Inside the archive folder; never restored into the user's folder, never scanned from it. */
export const MANIFEST_NAME = '.transferctl-manifest.json.gz';
/** The environment changes a snapshot recorded (paths relative to the env base image). */
export const ENV_RECORD = '/.transferctl/env-changes.json.gz';

/** Who is making a temporary object: "host:pid" (the janitor removes it once that process is gone). */
export function ownerTag(pid = process.pid, host = hostname()): string {
  return `${host}:${pid}`;
}

/** Is the owner of a temporary object gone? Objects of other hosts count as gone after a day. */
export function ownerGone(owner: string | undefined, createdMs: number, now = Date.now(), host = hostname()): boolean {
  if (!owner) return true;
  const i = owner.lastIndexOf(':');
  const ownerHost = i >= 0 ? owner.slice(0, i) : host;
  const pid = Number(i >= 0 ? owner.slice(i + 1) : owner);
  if (ownerHost !== host) return now - createdMs > 24 * 3600_000;
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
