import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { specFor } from '../../../src/workspace/up-from.js';
import { L } from '../../../src/labels.js';

test('up --from: a restored folder with a devcontainer.json is mounted where it says, not where the saved label says', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-upfrom-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const labels = { [L.mountPoint]: '/workspaces/old-name', [L.jupyterMode]: 'notebook' };
  assert.equal(specFor(dir, 'saved:latest', labels).volume.mountPoint, '/workspaces/old-name');
  writeFileSync(join(dir, '.devcontainer.json'), '{ "image": "i" }');
  const spec = specFor(dir, 'saved:latest', labels);
  assert.equal(spec.volume.mountPoint, `/workspaces/${basename(dir)}`);
  assert.equal(spec.devcontainer?.workspaceFolder, spec.volume.mountPoint);
  assert.equal(spec.image.name, 'saved:latest');
});
