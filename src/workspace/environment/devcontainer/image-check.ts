// What a devcontainer image must have before transferctl starts it: the features the config
// asks for (transferctl reaches no OCI registry to add them, so the image's
// devcontainer.metadata label must list them), and the Jupyter server it is to run.
import { hostname } from 'node:os';
import { ConfigError, UserError } from '../../../errors.js';
import { locate } from '../../../config/jsonc.js';
import type { WorkspaceSpec } from '../../../config/types.js';
import type { Devcontainer } from '../../../config/devcontainer/types.js';
import type { Engine, Labels } from '../../../engine/index.js';
import { baseLabels, L } from '../../../labels.js';
import { JUPYTER_BINARIES } from '../../plan.js';

export const METADATA_LABEL = 'devcontainer.metadata';

/** `ghcr.io/devcontainers/features/node:1` → `ghcr.io/devcontainers/features/node` (no tag or digest). */
function featureKey(id: string): string {
  const noDigest = id.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return (colon > slash ? noDigest.slice(0, colon) : noDigest).toLowerCase();
}

/** Feature ids the image's devcontainer.metadata label lists (an array of entries, or one entry). */
export function installedFeatures(labels: Labels): string[] {
  const text = labels[METADATA_LABEL];
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    const entries = Array.isArray(parsed) ? parsed : [parsed];
    return entries.flatMap((e) => (e && typeof e === 'object' && typeof (e as { id?: unknown }).id === 'string' ? [(e as { id: string }).id] : []));
  } catch {
    return [];
  }
}

/** The features the config asks for that the image does not have. */
export function missingFeatures(wanted: string[], labels: Labels): string[] {
  const have = installedFeatures(labels).map(featureKey);
  return wanted.filter((f) => {
    const k = featureKey(f);
    return !have.some((h) => h === k || h.endsWith(`/${k}`));
  });
}

export function checkFeatures(dc: Devcontainer, labels: Labels): void {
  const missing = missingFeatures(dc.features, labels);
  if (missing.length === 0) return;
  throw new ConfigError(
    dc.file,
    `features ${missing.map((f) => `"${f}"`).join(', ')} need an OCI registry, which transferctl does not use, and the image does not have them (its ${METADATA_LABEL} label does not list them)`,
    {
      ...locate(dc.doc, ['features'], missing[0]),
      hint: 'install them in a Dockerfile ("build": { "dockerfile": … }) and remove "features", or use an image that was built with them',
    },
  );
}

/** The Jupyter program `up` will start, or undefined when jupyter.command is the user's own. */
function wantedBinary(spec: WorkspaceSpec): string | undefined {
  return spec.jupyter.mode === 'none' || spec.jupyter.command ? undefined : JUPYTER_BINARIES[spec.jupyter.mode];
}

const PROBE = 'for b in jupyter-lab jupyter-notebook jupyter-server; do command -v "$b" >/dev/null 2>&1 && echo "$b"; done; true';

/** Which Jupyter programs the image has on its PATH (a short-lived container, removed after). */
async function jupyterPrograms(engine: Engine, imageId: string): Promise<string[]> {
  const labels = { ...baseLabels('temporary'), [L.temporary]: 'true', [L.ownerPid]: `${hostname()}:${process.pid}` };
  const id = await engine.containers.create({ image: imageId, entrypoint: ['/bin/sh', '-c', PROBE], cmd: [], labels });
  try {
    await engine.containers.start(id);
    const code = await engine.containers.wait(id);
    const out = await engine.containers.logsText(id, 10);
    if (code !== 0) throw new UserError(`the image cannot run /bin/sh (exit code ${code}): transferctl needs a shell in it to start Jupyter`, { hint: 'use a base image with /bin/sh (any Debian, Ubuntu or docker-stacks image)' });
    return out.split(/\s+/).filter((w) => w.startsWith('jupyter-'));
  } finally {
    await engine.containers.remove(id, { force: true }).catch(() => {});
  }
}

export async function checkJupyter(engine: Engine, spec: WorkspaceSpec, dc: Devcontainer, imageId: string): Promise<void> {
  const wanted = wantedBinary(spec);
  if (!wanted) return;
  const have = await jupyterPrograms(engine, imageId);
  if (have.includes(wanted)) return;
  const what = dc.image ? `the image ${dc.image}` : `the image built from ${dc.build!.dockerfile}`;
  const other = have.find((b) => b !== wanted);
  if (other) {
    const mode = Object.entries(JUPYTER_BINARIES).find(([, b]) => b === other)![0];
    throw new UserError(`${what} (${dc.file}) has ${other} but not ${wanted} (jupyter.mode "${spec.jupyter.mode}")`, {
      hint: `set "jupyter": { "mode": "${mode}" } in transfer.json, or add JupyterLab to the image`,
    });
  }
  throw new UserError(`${what} (${dc.file}) has no Jupyter: ${wanted} is not on its PATH`, {
    hint: 'add it in the Dockerfile ("build"): RUN pip install jupyterlab (or apt-get install jupyterlab), or use an image with Jupyter',
  });
}
