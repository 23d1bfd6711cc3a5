import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envFingerprint, fileStats, filterEnvChanges, planEnvOps } from '../../../../src/workspace/save/env.js';
import { chooseBase } from '../../../../src/workspace/save/base.js';
import { S } from '../../../../src/workspace/save/labels.js';
import { ownerGone, ownerTag } from '../../../../src/workspace/save/labels.js';
import { snapshotRepo, snapshotTags, timestampTag } from '../../../../src/workspace/save/target.js';
import { toCommitBody } from '../../../../src/engine/snapshots.js';
import type { FsChange, ImageDetails } from '../../../../src/engine/index.js';
import type { WorkspaceSpec } from '../../../../src/config/types.js';

const ch = (kind: FsChange['kind'], path: string): FsChange => ({ kind, path });

test('env: runtime noise, the mount point and transferctl files are not environment', () => {
  const kept = filterEnvChanges(
    [ch('added', '/tmp/x'), ch('added', '/home/jovyan/work'), ch('modified', '/etc/passwd'), ch('added', '/root/.local/share/jupyter/runtime/k.json'), ch('added', '/opt/venv/lib/pkg'), ch('added', '/usr/sbin/docker-init'), ch('added', '/archive/x')],
    { mountPoint: '/home/jovyan/work', archivePath: '/archive' },
  );
  assert.deepEqual(kept, [ch('added', '/opt/venv/lib/pkg')]);
});

test("env: the container's other mounts (devcontainer.json mounts, -v) hold host data, never environment", () => {
  const kept = filterEnvChanges(
    [ch('added', '/data'), ch('added', '/data/big.csv'), ch('added', '/datasets-not-mounted/x'), ch('added', '/opt/venv/lib/pkg')],
    { mountPoint: '/workspaces/proj', archivePath: '/archive', mounts: ['/workspaces/proj', '/data'] },
  );
  assert.deepEqual(kept.map((c) => c.path), ['/datasets-not-mounted/x', '/opt/venv/lib/pkg']);
});

test('env: a folder the engine made to hold a mount point is not copied as a tree (it would bring the mounted folder), what else is in it is', () => {
  const kept = filterEnvChanges(
    [ch('added', '/workspaces'), ch('added', '/workspaces/proj'), ch('added', '/workspaces/notes.txt'), ch('added', '/mnt/a'), ch('added', '/mnt/a/b')],
    { mountPoint: '/workspaces/proj', archivePath: '/archive', mounts: ['/mnt/a/b/c'] },
  );
  assert.deepEqual(kept.map((c) => c.path), ['/workspaces/notes.txt']);
});

test('env: the folders Jupyter and IPython make at start are not environment, unless what is below them is', () => {
  const skip = { mountPoint: '/home/jovyan/work', archivePath: '/archive' };
  const atStart = ['/root/.ipython', '/root/.ipython/profile_default', '/root/.ipython/profile_default/startup', '/root/.ipython/profile_default/startup/README', '/root/.ipython/profile_default/log', '/root/.local', '/root/.local/share', '/root/.local/share/jupyter', '/root/.local/share/jupyter/runtime', '/root/.local/share/jupyter/runtime/nbserver-7.json'].map((p) => ch('added', p));
  assert.deepEqual(filterEnvChanges(atStart, skip), []);
  const userSite = [...atStart, ch('added', '/root/.local/lib'), ch('added', '/root/.local/lib/python3.11/site-packages/pkg.py'), ch('added', '/root/.ipython/profile_default/startup/00-mine.py')];
  assert.deepEqual(
    filterEnvChanges(userSite, skip).map((c) => c.path),
    ['/root/.ipython', '/root/.ipython/profile_default', '/root/.ipython/profile_default/startup', '/root/.ipython/profile_default/startup/00-mine.py', '/root/.local', '/root/.local/lib', '/root/.local/lib/python3.11/site-packages/pkg.py'],
  );
  // The same folder names elsewhere are environment like any other.
  assert.deepEqual(filterEnvChanges([ch('added', '/opt/.local')], skip), [ch('added', '/opt/.local')]);
});

test('env: added trees are copied once, modified folders only as entries, deletions collapse', () => {
  const ops = planEnvOps(
    [ch('modified', '/opt'), ch('modified', '/opt/venv'), ch('added', '/opt/venv/pkg'), ch('added', '/opt/venv/pkg/a.py'), ch('modified', '/etc/motd'), ch('deleted', '/usr/share/doc/x'), ch('modified', '/home/jovyan')],
    [ch('added', '/opt/venv/old'), ch('added', '/opt/venv/old/b.py'), ch('added', '/opt/venv/pkg')],
  );
  assert.deepEqual(ops.copy, ['/etc/motd', '/home/jovyan', '/opt/venv/pkg']);
  assert.ok(ops.shallow.has('/home/jovyan') && !ops.shallow.has('/opt/venv/pkg'));
  assert.deepEqual(ops.remove, ['/opt/venv/old', '/usr/share/doc/x']);
});

test('env fingerprint: paths and kinds, and the stat of changed files but not of folders', () => {
  assert.equal(envFingerprint([ch('added', '/a')]), envFingerprint([ch('added', '/a')]));
  assert.notEqual(envFingerprint([ch('added', '/a')]), envFingerprint([ch('modified', '/a')]));
  const changes = [ch('added', '/opt/venv'), ch('added', '/opt/venv/x.py')];
  const stat = (dirMtime: string, fileSize: number) =>
    `41ed|4096|${dirMtime}|12|/opt/venv\n81a4|${fileSize}|2026-11-23 10:00:00.000000000 +0000|13|/opt/venv/x.py\n`;
  assert.notEqual(envFingerprint(changes, stat('2026-11-23 10:00:00', 10)), envFingerprint(changes, stat('2026-11-23 10:00:00', 11)), 'a file edited again is a change');
  assert.equal(envFingerprint(changes, stat('2026-11-23 10:00:00', 10)), envFingerprint(changes, stat('2026-11-23 11:11:11', 10)), 'a folder mtime alone is not');
  assert.deepEqual(fileStats('41ed|4096|t|1|/d\nnot a stat line\n81a4|1|t|2|/d/f|with a bar\n'), ['81a4|1|t|2|/d/f|with a bar']);
});

const img = (id: string, labels: Record<string, string> = {}): ImageDetails => ({ id, repoTags: [], repoDigests: [], created: '', size: 0, labels, layers: [], env: [], cmd: [], entrypoint: [], user: '', workingDir: '', exposedPorts: [] });
const saved = (id: string, envBase: string, layers = 1) => img(id, { [S.kind]: 'save', [S.archivePath]: '/archive', [S.envBase]: envBase, [S.archiveLayers]: String(layers) });

test('base: first save is fresh; the next goes on the previous save; squash past the limit', () => {
  const ci = img('sha256:ws');
  const first = chooseBase({ kind: 'save', previous: null, containerImage: ci, hasContainer: true, archivePath: '/archive', squashAfter: 3 });
  assert.equal(first.mode, 'fresh');
  assert.equal(first.baseHasArchive, false);
  const next = chooseBase({ kind: 'save', previous: saved('sha256:p', 'sha256:ws', 2), containerImage: ci, hasContainer: true, archivePath: '/archive', squashAfter: 3 });
  assert.equal(next.mode, 'previous');
  assert.equal(next.readEnvRecord, true);
  const squash = chooseBase({ kind: 'save', previous: saved('sha256:p', 'sha256:ws', 3), containerImage: ci, hasContainer: true, archivePath: '/archive', squashAfter: 3 });
  assert.equal(squash.mode, 'fresh');
  assert.equal(squash.squashed, true);
});

test('base: a save made from another image is not built upon; up --from continues the saved image', () => {
  const other = chooseBase({ kind: 'save', previous: saved('sha256:p', 'sha256:old'), containerImage: img('sha256:rebuilt'), hasContainer: true, archivePath: '/archive', squashAfter: 20 });
  assert.equal(other.mode, 'fresh');
  const ci = saved('sha256:p0', 'sha256:elsewhere');
  const from = chooseBase({ kind: 'save', previous: null, containerImage: ci, hasContainer: true, archivePath: '/archive', squashAfter: 20 });
  assert.equal(from.mode, 'previous');
  assert.equal(from.readEnvRecord, false, 'the container diff is relative to the saved image itself');
  assert.equal(chooseBase({ kind: 'commit', previous: saved('sha256:p', 'sha256:ws'), containerImage: img('sha256:ws'), hasContainer: true, archivePath: '/archive', squashAfter: 20 }).mode, 'fresh');
});

const spec = (commit?: WorkspaceSpec['commit']) => ({ image: { name: 'my-analysis:v2' }, commit, raw: {} }) as unknown as WorkspaceSpec;

test('target: commit.repo/commit.name, a default, timestamp + latest, bad names rejected', () => {
  assert.equal(snapshotRepo(spec({ name: 'bare-notebook-latest', repo: 'nvcr.io' })), 'nvcr.io/bare-notebook-latest');
  assert.equal(snapshotRepo(spec()), 'my-analysis-saved');
  assert.deepEqual(snapshotTags(spec(), new Date('2026-01-02T03:04:05Z')), ['20260102-030405', 'latest']);
  assert.deepEqual(snapshotTags(spec({ name: 'n', tag: 'v1' })), ['v1']);
  assert.equal(timestampTag(new Date('2026-11-23T15:00:09Z')), '20261123-150009');
  assert.throws(() => snapshotRepo(spec({ name: 'Bad Name' })), /not a valid image repository/);
  assert.throws(() => snapshotTags(spec({ name: 'n', tag: 'no/slash' })), /not a valid image tag/);
});

test('commit body: an empty entrypoint is sent as [] (never inherited); ports as a set', () => {
  const body = toCommitBody({ env: ['A=1'], cmd: ['x'], entrypoint: [], user: '1000', workingDir: '/w', exposedPorts: ['8888/tcp'], labels: { a: 'b' } });
  assert.deepEqual(body.Entrypoint, []);
  assert.deepEqual(body.ExposedPorts, { '8888/tcp': {} });
});

test('owner of temporaries: this process is alive, a dead pid is gone, other hosts wait a day', () => {
  assert.equal(ownerGone(ownerTag(), Date.now()), false);
  assert.equal(ownerGone(ownerTag(2 ** 22 + 12345), Date.now()), true);
  assert.equal(ownerGone('elsewhere:1', Date.now(), Date.now()), false);
  assert.equal(ownerGone('elsewhere:1', 0, 2 * 86400_000), true);
});

test('env: a folder modified only because of an excluded child (the mount point) is not copied', () => {
  const kept = filterEnvChanges([ch('modified', '/home'), ch('modified', '/home/jovyan'), ch('added', '/home/jovyan/work'), ch('modified', '/usr/sbin'), ch('added', '/usr/sbin/docker-init'), ch('modified', '/etc/motd')], {
    mountPoint: '/home/jovyan/work',
    archivePath: '/archive',
  });
  assert.deepEqual(kept, [ch('modified', '/etc/motd')]);
});

test('env: a recorded change that is no longer listed is deleted only if it was added (never a path of the base image)', () => {
  const ops = planEnvOps([ch('added', '/opt/new')], [ch('modified', '/usr'), ch('modified', '/etc/motd'), ch('added', '/opt/old'), ch('deleted', '/var/x')]);
  assert.deepEqual(ops.remove, ['/opt/old']);
});
