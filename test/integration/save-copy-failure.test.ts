// The copy inside the temporary container fails (here: an image whose `cp` refuses): a clear
// error with the container's own words, no tag moved, no container or lists folder left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { requireEngine, requireImage } from '../helpers/engine.js';
import { runCli } from '../helpers/cli.js';
import { L } from '../../src/labels.js';
import { fillTree, makeWorkspace } from './save-fixtures.js';

const FAILING_CP = [
  'FROM transferctl/debian:bookworm',
  `RUN printf '#!/bin/sh\\necho "cp: simulated failure" >&2\\nexit 1\\n' > /usr/local/bin/cp && chmod +x /usr/local/bin/cp`,
  '',
].join('\n');

const listsFolders = () => readdirSync(tmpdir()).filter((n) => n.startsWith('transferctl-lists-')).sort();

test('a copy that fails in the temporary container: a clear error, nothing tagged, nothing left', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, 'transferctl/debian:bookworm'))) return;
  const ws = makeWorkspace(t, engine, { dockerfile: FAILING_CP });
  fillTree(ws.dir, 1024 * 1024);
  const built = await runCli(['build'], { cwd: ws.dir });
  assert.equal(built.code, 0, built.stderr);
  const before = listsFolders();

  const r = await runCli(['save'], { cwd: ws.dir, env: { TRANSFERCTL_SAVE_VIA: 'cp' } });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /preparing the new layer failed \(exit \d+\): cp: simulated failure/);
  assert.match(r.stderr, /nothing was tagged/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(await engine.images.inspect(`${ws.repo}:latest`), null, 'no tag');
  const image = (await engine.images.inspect(ws.image))!.id;
  const temps = await engine.containers.list({ labels: [`${L.temporary}=save`], all: true });
  assert.equal(temps.filter((c) => c.image === image || c.image === ws.image).length, 0, 'the temporary container is gone');
  assert.deepEqual(listsFolders(), before, 'no lists folder is left');
});
