// transfer --workspace: the engine URL for HOST and the words for unsaved work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeUnsaved, engineUrlFor } from '../../../src/cli/commands/transfer-workspace.js';

test('the engine there is an ssh:// URL built from what transfer accepts as HOST', () => {
  assert.equal(engineUrlFor('gpu-server'), 'ssh://gpu-server');
  assert.equal(engineUrlFor('me@gpu-server'), 'ssh://me@gpu-server');
  assert.equal(engineUrlFor('ssh://me@gpu-server:2222'), 'ssh://me@gpu-server:2222');
  assert.equal(engineUrlFor('root@[fe80::1]'), 'ssh://root@[fe80::1]');
  assert.throws(() => engineUrlFor('tcp://server:2375'), /not a host to reach over ssh/);
});

test('unsaved work is named: paths of the folder, packages in the container, or both', () => {
  assert.equal(describeUnsaved({ env: false, paths: 1 }), '1 path of the folder');
  assert.equal(describeUnsaved({ env: true, paths: 0 }), 'packages or files installed in the container');
  assert.equal(describeUnsaved({ env: true, paths: 3 }), '3 paths of the folder and packages or files installed in the container');
});
