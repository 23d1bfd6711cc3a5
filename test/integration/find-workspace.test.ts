// A workspace's container is found by name, or by its labels when the name in the config
// changed; a container made from one of the workspace's images (a save's temporary container)
// carries the workspace label too, and must never be taken for the workspace itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireEngine, requireImage, LAB_IMAGE } from '../helpers/engine.js';
import { makeWorkspace } from '../helpers/workspace.js';
import { baseLabels, L } from '../../src/labels.js';
import { workspaceLabels } from '../../src/workspace/labels.js';
import { temporaryLabels } from '../../src/workspace/save/temp-container.js';
import { findWorkspaceContainer } from '../../src/workspace/find.js';
import { loadWorkspace } from '../../src/config/load.js';

test("a save's temporary container is not the workspace's container; the workspace's is found after a rename", async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, LAB_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  const spec = loadWorkspace({ cwd: ws.dir });
  const made: string[] = [];
  t.after(async () => {
    for (const id of made) await engine.containers.remove(id, { force: true }).catch(() => {});
  });
  const create = async (name: string, labels: Record<string, string>) => {
    const id = await engine.containers.create({ name, image: LAB_IMAGE, entrypoint: ['sleep', 'infinity'], labels });
    made.push(id);
    await engine.containers.start(id);
    return id;
  };
  // What a temporary container made from a saved image has: the image's workspace labels
  // under its own role (this process is alive, so no sweep would remove it).
  await create(`${ws.container}-tmp`, { ...workspaceLabels(spec), ...temporaryLabels('save') });
  assert.equal((await findWorkspaceContainer(engine, spec)).kind, 'none');

  // The workspace's own container under another name (the config's name changed since).
  const own = await create(`${ws.container}-old-name`, { ...workspaceLabels(spec), ...baseLabels('workspace') });
  const found = await findWorkspaceContainer(engine, spec);
  assert.equal(found.kind, 'ours');
  assert.equal(found.kind === 'ours' && found.container.id, own);
  assert.equal(found.kind === 'ours' && found.container.labels[L.role], 'workspace');
});
