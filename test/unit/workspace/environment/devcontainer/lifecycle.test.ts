import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveWorkspace } from '../../../../../src/config/load.js';
import { lifecycleUser } from '../../../../../src/workspace/environment/devcontainer/lifecycle.js';
import type { Devcontainer } from '../../../../../src/config/devcontainer/types.js';

const spec = (raw = {}) => resolveWorkspace(raw, { configPath: '/w/transfer.json', root: '/w' });
const dc = { remoteUser: 'vscode', containerUser: 'builder' } as Devcontainer;

test('lifecycle commands run as the host user, or remoteUser where there is nothing to map (root, mapping off)', () => {
  assert.equal(lifecycleUser(spec(), dc, { uid: 1234, gid: 2345 }), '1234:2345');
  assert.equal(lifecycleUser(spec(), dc, { uid: 0, gid: 0 }), 'vscode');
  assert.equal(lifecycleUser(spec({ 'user-mapping': false }), dc, { uid: 1234, gid: 2345 }), 'vscode');
  assert.equal(lifecycleUser(spec(), { containerUser: 'builder' } as Devcontainer, { uid: 0, gid: 0 }), 'builder');
  assert.equal(lifecycleUser(spec(), {} as Devcontainer, { uid: 0, gid: 0 }), undefined, "the container's own user");
});
