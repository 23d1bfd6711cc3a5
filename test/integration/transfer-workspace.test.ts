// transferctl transfer --workspace HOST: refused while work is unsaved (or never saved); with
// --save it saves, sends the saved image over ssh to a second dockerd behind a real sshd, and
// starts it there with `up --from` through that engine as DOCKER_HOST=ssh://… would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { BIN, runCli } from '../helpers/cli.js';
import { startRemote } from '../helpers/remote.js';
import { tempDir } from '../helpers/tmp.js';
import { makeWorkspace, treeOf } from './save-fixtures.js';

interface Result {
  image: string;
  saved: boolean;
  transfer: { remoteImageId: string; layers: { sent: number; total: number } };
  started: { dir: string; up: { url: string; containerId: string; tunnel?: object } };
}

/** The command stays attached while it forwards the port: start it, take its JSON, keep the process. */
function attached(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; result: Result }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => {
      stdout += d;
      try {
        resolve({ child, result: JSON.parse(stdout) });
      } catch {
        // not complete yet
      }
    });
    child.on('close', (code) => reject(new Error(`transfer --workspace exited (${code}) before printing its result: ${stderr}`)));
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  child.kill('SIGTERM');
  return closed;
}

test('transfer --workspace: unsaved work is refused; --save saves, sends and starts it on the other engine', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const rig = await startRemote(t, 'tw');
  if (!rig) return;
  const ws = makeWorkspace(t, engine);
  const env = { TRANSFERCTL_SSH_OPTS: rig.sshOpts };
  const saved = `${ws.repo}:latest`;
  writeFileSync(join(ws.dir, 'notes.md'), '# day one\n');

  await t.test('never saved: nothing to send, one clear line', async () => {
    const r = await runCli(['transfer', '--workspace', rig.dest], { cwd: ws.dir, env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /has not been saved yet: there is nothing to send/);
    assert.match(r.stderr, /--save/);
    assert.equal((await rig.engine.images.list()).length, 0, 'nothing reached the other engine');
  });

  await t.test('a file changed since the save: refused, naming what is unsaved', async () => {
    assert.equal((await runCli(['up'], { cwd: ws.dir })).code, 0);
    const s = await runCli(['save'], { cwd: ws.dir });
    assert.equal(s.code, 0, s.stderr);
    writeFileSync(join(ws.dir, 'notes.md'), '# day one\nmore\n');
    const r = await runCli(['transfer', '--workspace', rig.dest], { cwd: ws.dir, env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /has unsaved changes \(1 path of the folder that \S+ does not hold\)/);
    assert.equal(await rig.engine.images.inspect(saved), null, 'nothing was sent');
  });

  await t.test('--save: saved, sent thinly, started there through its engine; the URL works here', async () => {
    const dir = join(tempDir(t, 'tc-tw-'), 'there');
    const { child, result } = await attached(['transfer', '--workspace', rig.dest, '--save', '--dir', dir, '--json'], ws.dir, env);
    try {
      assert.equal(result.saved, true);
      const local = (await engine.images.inspect(saved))!;
      assert.equal(result.transfer.remoteImageId, local.id);
      assert.equal((await rig.engine.images.inspect(saved))?.id, local.id, 'the other engine holds the saved image');
      const c = await rig.engine.containers.inspect(result.started.up.containerId);
      assert.ok(c?.running, 'the workspace runs on the other engine');
      assert.equal(await engine.containers.inspect(result.started.up.containerId), null, 'not on this one');
      assert.ok(result.started.up.tunnel, 'the port is forwarded over ssh');
      assert.deepEqual(treeOf(dir), treeOf(ws.dir), 'the folder there equals this one');
      const u = new URL(result.started.up.url);
      const status = await fetch(`${u.origin}/api/status?token=${u.searchParams.get('token')}`);
      assert.equal(status.status, 200, 'Jupyter answers through the printed URL');
    } finally {
      assert.equal(await stop(child), 0, 'it ends cleanly when told to stop forwarding');
    }
  });
});
