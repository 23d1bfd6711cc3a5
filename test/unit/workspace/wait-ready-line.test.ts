// The lines that make `up` check Jupyter at once instead of at the next poll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { READY_LINE } from '../../../src/workspace/wait.js';

test("Jupyter Server 2's and notebook 6's listening lines wake the check; start-up chatter does not", () => {
  assert.ok(READY_LINE.test('[I 2026-12-05 13:28:48.807 ServerApp] Jupyter Server 2.15.0 is running at:'));
  assert.ok(READY_LINE.test('[I 12:00:01.123 NotebookApp] The Jupyter Notebook is running at:'));
  assert.ok(READY_LINE.test('[I 12:00:01 NotebookApp] http://127.0.0.1:8888/tree?token=...'));
  assert.ok(READY_LINE.test('Use Control-C to stop this server and shut down all kernels'));
  assert.ok(!READY_LINE.test('[I 2026-12-05 13:28:47.100 ServerApp] jupyterlab | extension was successfully loaded.'));
  assert.ok(!READY_LINE.test('[I 2026-12-05 13:28:47.100 ServerApp] Writing Jupyter server cookie secret to /home/jovyan/.local/share/jupyter/runtime/jupyter_cookie_secret'));
});
