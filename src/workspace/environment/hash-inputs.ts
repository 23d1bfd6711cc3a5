// Gather a BuildInput's hash inputs: the files it copies (memory files, and for a context
// folder what its COPY/ADD sources name) and its base images' IDs from the engine.
import { createHash } from 'node:crypto';
import type { Engine } from '../../engine/index.js';
import type { BuildInput } from './build-input.js';
import { hashFiles, listContext, selectSources } from './context-files.js';
import { dockerfileReads } from './dockerfile-sources.js';
import { inputHash, type HashedFile } from './input-hash.js';

export type EnvironmentHash =
  | { ok: true; hash: string }
  /** A base image is not on this engine yet: the build pulls it, the hash comes after. */
  | { ok: false; missingBase: string };

export async function environmentHash(engine: Engine, input: BuildInput): Promise<EnvironmentHash> {
  const reads = dockerfileReads(input.dockerfileText, input.buildArgs);
  const bases: Record<string, string> = {};
  for (const ref of reads.images) {
    const img = await engine.images.inspect(ref);
    if (!img) return { ok: false, missingBase: ref };
    bases[ref] = img.id;
  }
  const files: HashedFile[] = input.memoryFiles
    .filter((f) => f.name !== input.dockerfile)
    .map((f) => ({
      path: f.name,
      sha256: createHash('sha256').update(f.content).digest('hex'),
      executable: ((f.mode ?? 0o644) & 0o111) !== 0,
    }));
  if (input.contextDir) {
    const all = listContext(input.contextDir, [input.dockerfile]).filter((p) => p !== input.dockerfile);
    const chosen = reads.wholeContext ? all : selectSources(all, reads.sources);
    files.push(...hashFiles(input.contextDir, chosen));
  }
  const hash = inputHash({
    dockerfile: input.dockerfile,
    dockerfileText: input.dockerfileText,
    files,
    wholeContext: reads.wholeContext,
    buildArgs: input.buildArgs,
    target: input.target,
    bases,
  });
  return { ok: true, hash };
}
