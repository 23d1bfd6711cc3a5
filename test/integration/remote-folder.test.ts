// A remote engine mounts folders from its own host. Here the second engine (its own network
// namespace behind sshd) runs in a mount namespace where this machine's test folders are empty
// tmpfs, as on a real remote host: `up` there refuses before creating anything, and
// `transfer --workspace` keeps the folder in a volume on that engine, copied from the saved image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { BIN, runCli } from '../helpers/cli.js';
import { startRemote } from '../helpers/remote.js';
import { tempDir } from '../helpers/tmp.js';
import { makeWorkspace } from './save-fixtures.js';

interface Result {
  started: { dir: string; folderVolume?: string; up: { url: string; containerId: string; container: string } };
}

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
    child.on('close', (code) => reject(new Error(`exited (${code}) before printing its result: ${stderr}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const closed = new Promise<void>((r) => child.on('close', () => r()));
  child.kill('SIGTERM');
  await closed;
}

test('a remote engine that cannot see this folder: up refuses cleanly; transfer --workspace uses a volume there', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  const here = tempDir(t, 'tc-rf-here-');
  const rig = await startRemote(t, 'rf', { hide: [ws.dir, here] });
  if (!rig) return;
  const env = { TRANSFERCTL_SSH_OPTS: rig.sshOpts };
  const onB = { ...env, DOCKER_HOST: `ssh://${rig.dest}` };
  const saved = `${ws.repo}:latest`;
  writeFileSync(join(ws.dir, 'notes.md'), '# day one\n');
  assert.equal((await runCli(['up'], { cwd: ws.dir })).code, 0);
  const dir = join(here, 'there');

  await t.test('transfer --workspace --save: the folder is a volume there, filled from the saved image', async () => {
    const sshDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('tc-ssh-')).sort();
    const sshBefore = sshDirs();
    const { child, result } = await attached(['transfer', '--workspace', rig.dest, '--save', '--dir', dir, '--json'], ws.dir, env);
    try {
      const volume = result.started.folderVolume;
      assert.ok(volume, 'the result names the volume');
      const c = await rig.engine.containers.inspect(result.started.up.containerId);
      assert.ok(c?.running, 'the workspace runs on the other engine');
      const mount = c!.mounts.find((m) => m.destination === '/home/jovyan/work');
      assert.equal(mount?.type, 'volume', 'the folder is mounted from the volume');
      const cat = await rig.engine.containers.exec(c!.id, ['cat', '/home/jovyan/work/notes.md']);
      assert.equal(cat.stdout, '# day one\n', 'the saved file is there');
      const u = new URL(result.started.up.url);
      const status = await fetch(`${u.origin}/api/status?token=${u.searchParams.get('token')}`);
      assert.equal(status.status, 200, 'Jupyter answers through the printed URL');
    } finally {
      await stop(child);
    }
    assert.deepEqual(sshDirs(), sshBefore, 'SIGTERM right after the result: the ssh master connection and its folder are gone');
    const s = await runCli(['save'], { cwd: dir, env: onB });
    assert.equal(s.code, 1, s.stderr);
    assert.match(s.stderr, /folder is volume \S+ on the engine at ssh:\/\/.*nothing was saved/);
    assert.doesNotMatch(s.stderr, /\n\s+at /, 'no stack trace');
  });

  await t.test('up --from into another folder while that volume holds the first: refused, nothing left here or there', async () => {
    const second = join(here, 'second');
    const volumes = (await rig.engine.volumes.list()).map((v) => v.name).sort();
    const r = await runCli(['up', '--from', saved, second], { cwd: here, env: onB });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /volume \S+-folder already exists .*\(the folder of the workspace restored into .*there\); nothing was changed/);
    assert.match(r.stderr, /transferctl rm in .*there, then docker volume rm/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(existsSync(second), false, 'the folder this run restored here is gone again');
    assert.deepEqual((await rig.engine.volumes.list()).map((v) => v.name).sort(), volumes, 'the first workspace keeps its volume');
    const cat = await rig.engine.containers.list({ all: true });
    assert.ok(cat.some((c) => c.name === ws.container), "the first workspace's container is still there");
  });

  await t.test('up in a folder that engine cannot see: one clear error, nothing created there', async () => {
    const other = join(here, 'fresh');
    mkdirSync(other);
    writeFileSync(join(other, 'transfer.json'), JSON.stringify({ image: { name: saved }, jupyter: { mode: 'notebook' }, container: { name: `${ws.name}-fresh` } }));
    const before = (await rig.engine.containers.list({ all: true })).map((c) => c.name).sort();
    const r = await runCli(['up'], { cwd: other, env: onB });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cannot see .*fresh: it mounts folders from its own host/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    const after = (await rig.engine.containers.list({ all: true })).map((c) => c.name).sort();
    assert.deepEqual(after, before, 'no container (workspace or probe) was left there');
  });
});
