// transferctl transfer against a real second dockerd behind a real sshd, in its own network
// namespace (scripts/remote-engine.sh). Only missing layers travel; the remote image ID must
// equal the local one; the local engine never receives the load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { requireEngine, requireImage } from '../helpers/engine.js';
import { BIN, runCli } from '../helpers/cli.js';
import { localEvents, startRemote, vethBytes, type RemoteRig } from '../helpers/remote.js';
import { memoryTar } from '../../src/context-tar.js';
import type { Engine } from '../../src/engine/index.js';

const exec = promisify(execFile);
const BASE = 'transferctl/debian:bookworm';
const RUN = randomBytes(3).toString('hex');
const LABEL = 'org.transferctl.test';

/** An image of `from` plus one layer of `bytes` random bytes (unique each time). */
async function buildImage(engine: Engine, tag: string, from: string, bytes: number): Promise<string> {
  const dockerfile = `FROM ${from}\nRUN head -c ${bytes} /dev/urandom > /blob-${randomBytes(4).toString('hex')}\n`;
  return engine.images.build(memoryTar([{ name: 'Dockerfile', content: dockerfile }]), {
    tags: [tag],
    labels: { [LABEL]: `transfer-${RUN}`, 'org.transferctl.managed': 'true', 'org.transferctl.role': 'temporary' },
  });
}

function transfer(rig: RemoteRig, args: string[]) {
  return runCli(['transfer', ...args], { env: { TRANSFERCTL_SSH_OPTS: rig.sshOpts } });
}

test('transfer over ssh: first, after a small change, already there, interrupted, through --engine', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, BASE))) return;
  const rig = await startRemote(t, 'ts');
  if (!rig) return;
  const tags: string[] = [];
  t.after(async () => {
    for (const tag of tags) await engine.images.remove(tag, { force: true }).catch(() => {});
  });
  const image = (n: string) => {
    const tag = `tctransfer-${RUN}:${n}`;
    tags.push(tag);
    return tag;
  };

  const a = image('a');
  const idA = await buildImage(engine, a, BASE, 200_000);

  await t.test('first transfer to an empty remote sends every layer and checks the ID', async () => {
    const since = Date.now();
    assert.equal(await rig.engine.images.inspect(idA), null);
    const r = await transfer(rig, [a, rig.dest, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.mode, 'partial');
    assert.equal(out.layers.sent, out.layers.total);
    assert.equal(out.remoteImageId, idA);
    assert.equal((await rig.engine.images.inspect(a))?.id, idA, 'the second engine has it under its tag');
    // Other work may load other images meanwhile; this one must not have been loaded here.
    assert.ok(!(await localEvents(since, 'load')).includes(idA), 'the local engine received no load of it');
  });

  const b = image('b');
  await buildImage(engine, b, a, 100_000);

  await t.test('after a small change only the new layer travels', async () => {
    const since = Date.now();
    const before = vethBytes(rig.hostVeth);
    const r = await transfer(rig, [b, rig.dest, '--json']);
    const after = vethBytes(rig.hostVeth);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.layers.sent, 1);
    assert.ok(out.layerBytesSent >= 100_000 && out.layerBytesSent < 110_000, `layer bytes ${out.layerBytesSent}`);
    assert.ok(out.bytesSent < out.layerBytesSent + 64_000, `tarball ${out.bytesSent} B for a ${out.layerBytesSent} B layer`);
    const wire = after.tx - before.tx;
    assert.ok(wire < out.layerBytesSent + 400_000, `${wire} B crossed the link for a ${out.layerBytesSent} B layer`);
    assert.ok(out.layerBytesSkipped > 100_000_000, 'the base stayed home');
    assert.equal((await rig.engine.images.inspect(b))?.id, out.imageId);
    assert.ok(!(await localEvents(since, 'load')).includes(out.imageId), 'loaded there, not here');
  });

  await t.test('an image the remote already has: nothing travels', async () => {
    const r = await transfer(rig, [b, rig.dest, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.mode, 'none');
    assert.equal(out.bytesSent, 0);
    assert.equal(out.remoteImageId, out.imageId);
  });

  await t.test('killed mid-way: no broken image there, and a retry succeeds', async () => {
    const c = image('c');
    const idC = await buildImage(engine, c, a, 24_000_000);
    await exec('tc', ['qdisc', 'add', 'dev', rig.hostVeth, 'root', 'tbf', 'rate', '16mbit', 'burst', '64kb', 'latency', '50ms']);
    try {
      const child = spawn(process.execPath, [BIN, 'transfer', c, rig.dest], {
        env: { ...process.env, TRANSFERCTL_SSH_OPTS: rig.sshOpts, NO_COLOR: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
      });
      let stderr = '';
      await new Promise<void>((resolve, reject) => {
        child.stderr!.on('data', (d) => {
          stderr += d;
          if (/sent [1-9][0-9.]* MB/.test(stderr)) resolve();
        });
        child.on('close', () => reject(new Error(`finished before it could be killed: ${stderr}`)));
      });
      const closed = new Promise((r) => child.on('close', r));
      process.kill(-child.pid!, 'SIGKILL'); // transferctl and its ssh, as a power cut would
      await closed;
    } finally {
      await exec('tc', ['qdisc', 'del', 'dev', rig.hostVeth, 'root']).catch(() => {});
    }
    // The remote session ends with its connection: poll until no ssh connection is open there.
    for (let i = 0; i < 50; i++) {
      const { stdout } = await exec('nsenter', [`--net=/var/run/netns/tcr-${rig.name}`, 'ss', '-tnH', 'state', 'established', '( sport = :22 )']).catch(
        () => ({ stdout: '' }),
      );
      if (!stdout.trim()) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(await rig.engine.images.inspect(idC), null, 'no image C there');
    assert.equal(await rig.engine.images.inspect(c), null, 'no tag C there');
    const r = await transfer(rig, [c, rig.dest, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).remoteImageId, idC);
  });

  await t.test('--engine unix://… (a DOCKER_HOST-style URL) works the same way', async () => {
    const d = image('d');
    await buildImage(engine, d, a, 50_000);
    const r = await runCli(['transfer', d, '--engine', `unix://${rig.sock}`, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.layers.sent, 1);
    assert.equal((await rig.engine.images.inspect(d))?.id, out.imageId);
  });

  await t.test('a tag there that transferctl did not make is not moved without --force', async () => {
    const e = image('e');
    await buildImage(engine, e, a, 10_000);
    // The user's own image there, under the same name (an empty one, made with docker import).
    await exec('sh', ['-c', `tar -cf - -T /dev/null | DOCKER_HOST=unix://${rig.sock} docker import - ${e}`]);
    const theirs = (await rig.engine.images.inspect(e))!.id;
    const r = await transfer(rig, [e, rig.dest]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already has tctransfer-\S+:e as another image .* which transferctl did not make/);
    assert.match(r.stderr, /--force/);
    assert.equal((await rig.engine.images.inspect(e))?.id, theirs, 'the tag did not move');
    const forced = await transfer(rig, [e, rig.dest, '--force', '--json']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((await rig.engine.images.inspect(e))?.id, JSON.parse(forced.stdout).imageId);
  });
});

test('transfer: clear errors for a missing image and an unreachable host', async (t) => {
  const engine = await requireEngine(t);
  void engine;
  const r = await runCli(['transfer', `tc-no-such-image-${RUN}`, 'root@127.0.0.1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no image "tc-no-such-image-\w+" on the local engine/);
  const r2 = await runCli(['transfer', BASE, 'ssh://root@127.0.0.1:1'], { env: { TRANSFERCTL_SSH_OPTS: '-o BatchMode=yes -o ConnectTimeout=3' } });
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /cannot reach root@127\.0\.0\.1 over ssh/);
  assert.match(r2.stderr, /→ check that `ssh root@127\.0\.0\.1 docker version` works/);
  const r3 = await runCli(['transfer', BASE]);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /where to\?/);
});
