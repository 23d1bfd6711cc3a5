// Quiet progress: step lines on screen, everything in a log file, its tail for a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failureTail, pruneLogs, quietPrinter, stepLine } from '../../../src/cli/progress-view.js';
import { takeGlobalOptions } from '../../../src/cli/main.js';

test('a legacy builder step header becomes one short line', () => {
  assert.equal(stepLine('Step 3/8 : RUN apt-get update &&   apt-get install -y x\n'), '[3/8] RUN apt-get update && apt-get install -y x');
  assert.equal(stepLine(' ---> Running in 1234'), undefined);
  assert.equal(stepLine('Step 1/2 : RUN ' + 'x'.repeat(200), 40)?.length, 40);
});

test('without a terminal only steps and per-image pull lines are shown; every line is in the log', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-progress-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  process.env.TRANSFERCTL_LOG_DIR = dir;
  t.after(() => delete process.env.TRANSFERCTL_LOG_DIR);
  const shown: string[] = [];
  const print = quietPrinter({ write: (s) => shown.push(s), isTTY: false });
  print({ stream: 'Step 1/2 : FROM debian\n' });
  print({ stream: ' ---> abc\n' });
  for (let i = 0; i < 500; i++) print({ stream: `Get:${i} http://deb.debian.org/debian trixie/main pkg${i}\n` });
  print({ stream: 'Step 2/2 : RUN \x1b[91mecho\x1b[0m\n' });
  print({ status: 'Pulling from library/x' });
  print({ status: 'Downloading', id: 'layer1', progress: '[==>  ]' });
  // picocolors colours output when CI is set: compare the text without escape codes
  // eslint-disable-next-line no-control-regex
  const text = shown.join('').replace(/\x1b\[[0-9;]*m/g, '');
  const lines = text.split('\n').filter(Boolean);
  assert.equal(lines.length, 4, text); // log path, 2 steps, 1 pull line
  assert.match(lines[0], /^full log: /);
  assert.ok(!text.includes('Get:'), 'apt lines stay in the log');
  const tail = failureTail(3);
  assert.ok(tail);
  assert.ok(tail.path.startsWith(dir));
  assert.deepEqual(tail.lines, ['Step 2/2 : RUN echo', 'Pulling from library/x', 'layer1: Downloading [==>  ]']);
  assert.match(readFileSync(tail.path, 'utf8'), /Get:499 /);
});

test('--debug and --progress are taken wherever they stand; a bad mode is a usage error', () => {
  assert.deepEqual(takeGlobalOptions(['build', '--progress', 'plain', '-c', 'x.json']), ['build', '-c', 'x.json']);
  assert.deepEqual(takeGlobalOptions(['--progress=quiet', 'up']), ['up']);
  assert.throws(() => takeGlobalOptions(['build', '--progress', 'loud']), /not a progress mode/);
  assert.throws(() => takeGlobalOptions(['build', '--progress']), /not a progress mode/);
});

test('only the newest logs of ours are kept; other files in the folder stay', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-logprune-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const now = Date.now() / 1000;
  for (let i = 0; i < 5; i++) {
    const f = join(dir, `build-2026-12-0${i + 1}T12-49-14-680Z-${100 + i}.log`);
    writeFileSync(f, 'x');
    utimesSync(f, now - (5 - i) * 60, now - (5 - i) * 60); // the later the name, the newer
  }
  writeFileSync(join(dir, 'notes.log'), 'the user\'s own');
  utimesSync(join(dir, 'notes.log'), now - 3600, now - 3600);
  pruneLogs(dir, 2);
  assert.deepEqual(readdirSync(dir).sort(), [
    'build-2026-12-04T12-49-14-680Z-103.log',
    'build-2026-12-05T12-49-14-680Z-104.log',
    'notes.log',
  ]);
});
