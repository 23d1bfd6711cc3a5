// Which file says how a workspace's environment is built. One place decides, in one order:
//   1. a Dockerfile named in transfer.json (image.dockerfile)
//   2. .devcontainer/devcontainer.json or .devcontainer.json
//   3. repo2docker's files (binder/ or .binder/ when present, else the root; a Dockerfile there
//      overrides the rest, as repo2docker does)
//   4. transferctl's own Jupyter Dockerfile
// Plain data: unit-tested against folders, no engine.
import { relative } from 'node:path';
import type { WorkspaceSpec } from '../../config/types.js';
import { readRepo2docker, usesAny, type Repo2dockerPlan } from './repo2docker/detect.js';
import type { Devcontainer } from '../../config/devcontainer/types.js';

export type EnvironmentSource =
  /** A Dockerfile the user wrote: named in transfer.json, or found in the folder. */
  | { kind: 'dockerfile'; dockerfile: string; context: string; from: 'config' | 'folder' }
  /** repo2docker's files (plan.dockerfile: binder/Dockerfile, which overrides the rest). */
  | { kind: 'repo2docker'; plan: Repo2dockerPlan }
  /** .devcontainer/devcontainer.json (or .devcontainer.json): an image to run, or a Dockerfile to build. */
  | { kind: 'devcontainer'; config: Devcontainer }
  /** transferctl's own Jupyter Dockerfile, when none of repo2docker's files is there. */
  | { kind: 'builtin' };

export function detectEnvironment(spec: WorkspaceSpec): EnvironmentSource {
  const { dockerfile, dockerfileFrom, context } = spec.image;
  if (dockerfile && dockerfileFrom === 'config') return { kind: 'dockerfile', dockerfile, context, from: 'config' };
  // config/load.ts reads devcontainer.json only when transfer.json names no Dockerfile.
  if (spec.devcontainer) return { kind: 'devcontainer', config: spec.devcontainer };
  const plan = readRepo2docker(spec.root);
  // A Dockerfile at the root counts only when no binder folder decides (repo2docker's rule).
  if (dockerfile && !plan.dir && !plan.problems.length) return { kind: 'dockerfile', dockerfile, context, from: 'folder' };
  if (usesAny(plan)) return { kind: 'repo2docker', plan };
  return { kind: 'builtin' };
}

/** One line for `init`, `build` and `up` to say what they build from. */
export function describeSource(source: EnvironmentSource, root: string): string {
  switch (source.kind) {
    case 'dockerfile':
      return `Dockerfile ${source.dockerfile.startsWith(root + '/') ? source.dockerfile.slice(root.length + 1) : source.dockerfile}`;
    case 'repo2docker':
      return source.plan.dockerfile
        ? `Dockerfile ${source.plan.dockerfile} (repo2docker's rule: it overrides the other files)`
        : `repo2docker's files in ${source.plan.dir ? source.plan.dir + '/' : 'the folder'} (${source.plan.files.filter((f) => f.used).map((f) => f.path).join(', ')})`;
    case 'devcontainer': {
      const c = source.config;
      return `${relative(root, c.file)} (${c.image ? `image ${c.image}` : `Dockerfile ${relative(root, c.build!.dockerfile)}`})`;
    }
    case 'builtin':
      return "transferctl's own Jupyter Dockerfile";
  }
}
