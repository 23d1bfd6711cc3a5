// ssh:// engines go through the system ssh client: the arguments it gets from the URL and
// TRANSFERCTL_SSH_OPTS (quotes group words), the destination last.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEngineUrl } from '../../../src/engine/discovery.js';
import { sshTargetArgs } from '../../../src/engine/ssh-link.js';

test('ssh://user@host:2222 with TRANSFERCTL_SSH_OPTS gives extra options, the port, then the destination', () => {
  const ep = parseEngineUrl('ssh://alice@gpu-box:2222', 'DOCKER_HOST');
  assert.deepEqual(sshTargetArgs(ep, { TRANSFERCTL_SSH_OPTS: `-i "/keys/my key" -o BatchMode=yes` }), ['-i', '/keys/my key', '-o', 'BatchMode=yes', '-p', '2222', '--', 'alice@gpu-box']);
});

test('ssh://host: no user and the default port leave both to ~/.ssh/config', () => {
  const ep = parseEngineUrl('ssh://gpu-box', 'DOCKER_HOST');
  assert.deepEqual(sshTargetArgs(ep, {}), ['--', 'gpu-box']);
});
