// scripts/proc.sh: a pid recorded in a file is acted on only while it is still that process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROC = fileURLToPath(new URL('../../../scripts/proc.sh', import.meta.url));

/** Exit code of a proc.sh function call (0 = true). */
function call(fn: string, ...args: string[]): number {
  try {
    execFileSync('bash', ['-c', `source "$0"; ${fn} "$@"`, PROC, ...args], { stdio: 'pipe' });
    return 0;
  } catch (err) {
    return (err as { status: number }).status;
  }
}

function stamp(pid: number): string {
  return execFileSync('bash', ['-c', 'source "$0"; owner_stamp "$1"', PROC, String(pid)], { encoding: 'utf8' }).trim();
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('owner_alive: the recorded process with its start time, not another one with its number', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-proc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const f = join(dir, 'owner');
  const mine = stamp(process.pid);
  assert.match(mine, new RegExp(`^${process.pid} \\d+ [0-9a-f-]{36}$`));
  writeFileSync(f, mine + '\n');
  assert.equal(call('owner_alive', f), 0, 'this process is alive');
  writeFileSync(f, `${process.pid} 1 ${mine.split(' ')[2]}\n`);
  assert.notEqual(call('owner_alive', f), 0, 'same pid, other start time: a reused number');
  writeFileSync(f, '4194303 1 x\n');
  assert.notEqual(call('owner_alive', f), 0, 'no such process');
  assert.equal(call('owner_alive', join(dir, 'missing')), 0, 'a rig being made has no owner file yet');
});

test('stop_pid stops the pid only while it is the named program; alive_as skips zombies', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-proc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  const f = join(dir, 'pid');
  writeFileSync(f, `${child.pid}\n`);
  assert.equal(call('alive_as', String(child.pid), 'sleep'), 0);
  assert.equal(call('stop_pid', f, 'dockerd'), 0);
  assert.ok(alive(child.pid!), 'a pid that is not a dockerd is left alone');
  assert.equal(call('stop_pid', f, 'sleep'), 0);
  // killed, and a zombie until this process reaps it: not alive_as any more
  assert.notEqual(call('alive_as', String(child.pid), 'sleep'), 0);
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
  assert.ok(!alive(child.pid!));
});
