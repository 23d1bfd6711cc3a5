// Resume: a transfer of several missing layers cut mid-way (transferctl and its ssh killed, as a
// power cut would) leaves the layers loaded so far on the other engine; the next run sends only
// the layer that was in flight and those after it. Real second dockerd behind a real sshd, the
// link slowed with tc so that a layer is in flight when the cut comes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { requireEngine, requireImage } from '../helpers/engine.js';
import { BIN, runCli } from '../helpers/cli.js';
import { seedRemote, startRemote, type RemoteRig } from '../helpers/remote.js';
import { memoryTar } from '../../src/context-tar.js';
import { STEP_OF } from '../../src/transfer/layer-steps.js';

const exec = promisify(execFile);
const BASE = 'transferctl/debian:bookworm';
const RUN = randomBytes(3).toString('hex');
const LAYER = 6_000_000;

async function stepImages(rig: RemoteRig, of: string): Promise<string[]> {
  const out: string[] = [];
  for (const s of await rig.engine.images.list()) {
    const d = await rig.engine.images.inspect(s.id);
    if (d?.labels[STEP_OF] === of) out.push(d.id);
  }
  return out;
}

test('resume: after a cut connection the next run resends at most the layer that was in flight', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, BASE))) return;
  const rig = await startRemote(t, 'tr');
  if (!rig) return;
  await seedRemote(rig, BASE);
  const tag = `tcresume-${RUN}:x`;
  t.after(() => engine.images.remove(tag, { force: true }).catch(() => {}));
  const dockerfile = [1, 2, 3].map((i) => `RUN head -c ${LAYER} /dev/urandom > /blob-${i}`).join('\n');
  const id = await engine.images.build(memoryTar([{ name: 'Dockerfile', content: `FROM ${BASE}\n${dockerfile}\n` }]), {
    tags: [tag],
    labels: { 'org.transferctl.test': `resume-${RUN}`, 'org.transferctl.managed': 'true', 'org.transferctl.role': 'temporary' },
  });

  // First run, on a slow link, killed once the first of the three layers is loaded there and the
  // second is on its way (about 3 s per layer at this rate: the cut comes early in layer 2).
  await exec('tc', ['qdisc', 'add', 'dev', rig.hostVeth, 'root', 'tbf', 'rate', '16mbit', 'burst', '64kb', 'latency', '50ms']);
  let stderr = '';
  try {
    const child = spawn(process.execPath, [BIN, 'transfer', tag, rig.dest], {
      env: { ...process.env, TRANSFERCTL_SSH_OPTS: rig.sshOpts, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d) => {
        stderr += d;
        if (/layer 1 of 3 loaded there/.test(stderr) && /sending layer 2 of 3/.test(stderr)) resolve();
      });
      child.on('close', () => reject(new Error(`finished before it could be cut: ${stderr}`)));
    });
    const closed = new Promise((r) => child.on('close', r));
    process.kill(-child.pid!, 'SIGKILL'); // transferctl and its ssh: the connection is cut
    await closed;
  } finally {
    await exec('tc', ['qdisc', 'del', 'dev', rig.hostVeth, 'root']).catch(() => {});
  }
  assert.match(stderr, /sending layer 2 of 3/, 'the second layer was in flight when the connection was cut');
  // The remote session ends with its connection: wait until no ssh connection is open there.
  for (let i = 0; i < 50; i++) {
    const { stdout } = await exec('nsenter', [`--net=/var/run/netns/tcr-${rig.name}`, 'ss', '-tnH', 'state', 'established', '( sport = :22 )']).catch(() => ({ stdout: '' }));
    if (!stdout.trim()) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(await rig.engine.images.inspect(tag), null, 'no tag there: the image is not half-loaded under its name');
  assert.equal((await stepImages(rig, id)).length, 1, 'the first layer stayed there, held by one step image');

  // Second run: only the layer that was in flight and the one after it travel.
  const r = await runCli(['transfer', tag, rig.dest, '--json'], { env: { TRANSFERCTL_SSH_OPTS: rig.sshOpts } });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.remoteImageId, id, 'the same image ID there');
  assert.equal(out.layers.total, (await engine.images.inspect(BASE))!.layers.length + 3);
  assert.equal(out.layers.sent, 2, 'layer 1 was not sent again');
  assert.ok(out.layerBytesSent < 2 * LAYER + 100_000, `${out.layerBytesSent} B of layers sent for two ${LAYER} B layers`);
  assert.ok(out.notes.some((n: string) => /resumed: .*1 left by an interrupted transfer/.test(n)), out.notes.join('\n'));
  assert.equal((await rig.engine.images.inspect(tag))?.id, id);
  assert.deepEqual(await stepImages(rig, id), [], 'the step images are gone once the image is there');

  await t.test('--engine unix://… (the Engine API) loads layer by layer the same way', async () => {
    const two = `tcresume-${RUN}:two`;
    t.after(() => engine.images.remove(two, { force: true }).catch(() => {}));
    const body = [1, 2].map((i) => `RUN head -c 100000 /dev/urandom > /small-${i}`).join('\n');
    const idTwo = await engine.images.build(memoryTar([{ name: 'Dockerfile', content: `FROM ${BASE}\n${body}\n` }]), {
      tags: [two],
      labels: { 'org.transferctl.test': `resume-${RUN}`, 'org.transferctl.managed': 'true', 'org.transferctl.role': 'temporary' },
    });
    const r = await runCli(['transfer', two, '--engine', `unix://${rig.sock}`, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.remoteImageId, idTwo);
    assert.equal(out.layers.sent, 2);
    assert.deepEqual(await stepImages(rig, idTwo), [], 'no step images left');
  });
});
