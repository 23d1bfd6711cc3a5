// Shell completion: which candidates come after the words typed so far.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wanted, type CommandSpec } from '../../../src/cli/completion/candidates.js';
import { completionScript } from '../../../src/cli/completion/scripts.js';

const COMMANDS: CommandSpec[] = [
  { names: ['up', 'start'], options: [{ flags: ['-c', '--config'], takesValue: true }, { flags: ['--from'], takesValue: true }, { flags: ['--open'], takesValue: false }, { flags: ['-p', '--port'], takesValue: true }], args: ['dir'] },
  { names: ['restore'], options: [{ flags: ['--force'], takesValue: false }], args: ['image', 'dir'] },
  { names: ['status', 'ps'], options: [{ flags: ['--json'], takesValue: false }], args: [] },
];

test('first word: every command and alias, and the global options', () => {
  assert.deepEqual(wanted([], COMMANDS, ['--help']), { kind: 'words', words: ['up', 'start', 'restore', 'status', 'ps', '--help'] });
  assert.equal(wanted(['my.json'], COMMANDS, []).kind, 'words', "seed 000's config file first");
});

test('after a command: its options; after -c: workspace configs; after --from or at an image argument: images', () => {
  assert.deepEqual(wanted(['status'], COMMANDS, []), { kind: 'words', words: ['--json'] });
  assert.deepEqual(wanted(['up', '-c'], COMMANDS, []), { kind: 'configs' });
  assert.deepEqual(wanted(['up', '--from'], COMMANDS, []), { kind: 'images' });
  assert.deepEqual(wanted(['restore'], COMMANDS, []), { kind: 'images' });
  assert.deepEqual(wanted(['restore', '--force', 'img:1'], COMMANDS, []), { kind: 'files', words: ['--force'] });
  assert.deepEqual(wanted(['up', '-p'], COMMANDS, []), { kind: 'files', words: [] }, "an option's value is not an option");
  assert.deepEqual(wanted(['start', '--from', 'x', '-p', '9000'], COMMANDS, []), { kind: 'files', words: ['--config', '--from', '--open', '--port'] });
});

test('the scripts call back `transferctl __complete` in each shell', () => {
  for (const shell of ['bash', 'zsh', 'fish'] as const) assert.match(completionScript(shell), /transferctl __complete/);
  assert.match(completionScript('bash'), /complete -o default .* transferctl/);
});
