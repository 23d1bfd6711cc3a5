// The environment hash: one sha256 over everything a build of the environment reads — the
// Dockerfile, the files it copies (generated ones and context files), the build args, the
// target stage and the IDs of the images it builds on. Pure: the same inputs give the same
// hash on any machine; what is not an input (a notebook the Dockerfile never copies, file
// times, who builds) never changes it. Generic over environment sources: anything that
// becomes a BuildInput hashes the same way.
import { createHash } from 'node:crypto';

/** Bump when what goes into the hash changes (old tags then simply stop matching). */
export const HASH_VERSION = 'transferctl-env-1';

export interface HashedFile {
  /** Path inside the build context ('/'-separated). */
  path: string;
  sha256: string;
  /** The only part of a file's mode that counts (umasks differ between machines). */
  executable: boolean;
}

export interface HashInputs {
  /** The Dockerfile's path in the context, and its text. */
  dockerfile: string;
  dockerfileText: string;
  /** Files the build copies (generated in memory or read from the context folder). */
  files: HashedFile[];
  /** True when the whole context counts (a COPY source the hash cannot tell). */
  wholeContext?: boolean;
  buildArgs: Record<string, string>;
  target?: string;
  /** Each image the Dockerfile builds on → its image ID. */
  bases: Record<string, string>;
}

const sortedEntries = (o: Record<string, string>) => Object.keys(o).sort().map((k) => [k, o[k]]);

/** sha256 (hex) of the inputs in a canonical form. */
export function inputHash(i: HashInputs): string {
  const canonical = {
    v: HASH_VERSION,
    dockerfile: i.dockerfile,
    text: i.dockerfileText,
    files: [...i.files]
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((f) => [f.path, f.sha256, f.executable ? 'x' : '-']),
    wholeContext: !!i.wholeContext,
    args: sortedEntries(i.buildArgs),
    target: i.target ?? null,
    bases: sortedEntries(i.bases),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** The tag an environment image carries: env-<first 12 hex digits of its hash>. */
export function hashTag(hash: string): string {
  return `env-${hash.slice(0, 12)}`;
}
