// ssh targets and options, and the parsing of the remote probe's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSshTarget, sshArgs, splitSshOpts } from '../../../src/transfer/ssh-target.js';
import { isContainerdStore, parseOutcome, parseProbe, sessionCommand, sessionScript } from '../../../src/transfer/probe.js';
import { resolveRemote } from '../../../src/transfer/resolve-remote.js';
import { UserError } from '../../../src/errors.js';

test('ssh targets: host, user@host, ssh://user@host:port', () => {
  assert.deepEqual(parseSshTarget('server'), { user: undefined, host: 'server' });
  assert.deepEqual(parseSshTarget('root@10.0.0.2'), { user: 'root', host: '10.0.0.2' });
  assert.deepEqual(parseSshTarget('ssh://ana@box.lan:2222'), { user: 'ana', host: 'box.lan', port: 2222 });
  assert.deepEqual(parseSshTarget('ssh://box'), { user: undefined, host: 'box', port: undefined });
  assert.deepEqual(parseSshTarget('me@[fd00::2]'), { user: 'me', host: 'fd00::2' });
});

test('ssh targets: bad ones get a clear error', () => {
  assert.throws(() => parseSshTarget('tcp://host:2375'), (e: Error) => e instanceof UserError && /--engine/.test((e as UserError).hint ?? ''));
  assert.throws(() => parseSshTarget('a b'), UserError);
  assert.throws(() => parseSshTarget(''), UserError);
});

test('ssh arguments: raw extras, -o options, port, then "--" and the destination', () => {
  assert.deepEqual(sshArgs({ user: 'u', host: 'h', port: 2200 }, { options: ['BatchMode=yes'], extra: ['-i', 'key'] }), [
    '-i', 'key', '-o', 'BatchMode=yes', '-p', '2200', '--', 'u@h',
  ]);
  assert.deepEqual(sshArgs({ host: 'h' }), ['--', 'h']);
});

test('TRANSFERCTL_SSH_OPTS splits on spaces, quotes group', () => {
  assert.deepEqual(splitSshOpts('-i /k -o "UserKnownHostsFile=/a b"'), ['-i', '/k', '-o', 'UserKnownHostsFile=/a b']);
  assert.deepEqual(splitSshOpts(undefined), []);
});

test('probe output: versions, store kind, images with their layers, tags and ownership', () => {
  const out = [
    'V|20.10.24+dfsg1',
    'S|[["Backing Filesystem","extfs"],["Supports d_type","true"]]',
    'I|sha256:aaa|sha256:1,sha256:2,|web:1,web:latest,|true',
    'I|sha256:bbb|sha256:1,||',
    'I|sha256:aaa|sha256:1,sha256:2,|web:1,web:latest,|true',
    '',
  ].join('\n');
  const s = parseProbe(out);
  assert.equal(s.serverVersion, '20.10.24+dfsg1');
  assert.equal(s.containerdStore, false);
  assert.deepEqual(s.images, [
    { id: 'sha256:aaa', layers: ['sha256:1', 'sha256:2'], tags: ['web:1', 'web:latest'], managed: true },
    { id: 'sha256:bbb', layers: ['sha256:1'], tags: [], managed: false },
  ]);
});

test('containerd image store is recognised from DriverStatus', () => {
  assert.ok(isContainerdStore([['driver-type', 'io.containerd.snapshotter.v1']]));
  assert.ok(!isContainerdStore([['Backing Filesystem', 'extfs']]));
  assert.ok(!isContainerdStore(null));
  assert.equal(parseProbe('V|29.0.0\nS|[["driver-type","io.containerd.snapshotter.v1"]]\n').containerdStore, true);
  assert.equal(parseProbe('S|not json').containerdStore, false);
});

test('session script uses the given docker command, guards nil labels, reads one command', () => {
  const s = sessionScript('sudo docker');
  assert.match(s, /sudo docker info --format 'V\|\{\{\.ServerVersion\}\}/);
  assert.match(s, /\{\{if \.Config\.Labels\}\}/);
  assert.match(s, /IFS= read -r cmd/);
  assert.match(s, /sudo docker load \|\| exit 4/);
});

test('session commands and outcome', () => {
  assert.equal(sessionCommand({ load: 'web:1' }), 'L|web:1\n');
  assert.equal(sessionCommand({ tag: 'web:1', id: 'sha256:a' }), 'T|sha256:a|web:1\n');
  assert.equal(sessionCommand({ check: 'web:1' }), 'C|web:1\n');
  assert.equal(sessionCommand('quit'), 'Q\n');
  assert.deepEqual(parseOutcome('Loaded image: web:1\nR|sha256:abc\n'), { loaded: ['web:1'], imageId: 'sha256:abc' });
  assert.deepEqual(parseOutcome('Loaded image ID: sha256:abc\nR|\n'), { loaded: ['sha256:abc'], imageId: null });
});

test('resolveRemote: one target, of a known kind', () => {
  assert.throws(() => resolveRemote({ env: {} }), /where to\?/);
  assert.throws(() => resolveRemote({ host: 'a', engine: 'tcp://b:2375', env: {} }), /either HOST or --engine/);
  assert.match(resolveRemote({ host: 'ssh://u@h:2', env: {} }).describe, /u@h:2 \(ssh\)/);
  assert.match(resolveRemote({ engine: 'ssh://u@h', env: {} }).describe, /\(ssh\)/);
  assert.equal(resolveRemote({ engine: 'tcp://10.0.0.2:2375', env: {} }).describe, 'tcp://10.0.0.2:2375');
});
