// transfer both ways and several images at once, against a real second dockerd behind sshd
// (scripts/remote-engine.sh): `transfer IMG1 IMG2 --to HOST` sends the layers the images share
// once; `transfer IMAGE --from HOST` brings back only the layers this engine lacks (the veth's
// counters say what crossed) and the image ID here equals the one there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { requireEngine, requireImage } from '../helpers/engine.js';
import { runCli } from '../helpers/cli.js';
import { startRemote, vethBytes } from '../helpers/remote.js';
import { memoryTar } from '../../src/context-tar.js';
import type { Engine } from '../../src/engine/index.js';

const BASE = 'transferctl/debian:bookworm';
const RUN = randomBytes(3).toString('hex');
const LABELS = { 'org.transferctl.test': `transfer-ways-${RUN}`, 'org.transferctl.managed': 'true', 'org.transferctl.role': 'temporary' };

async function buildImage(engine: Engine, tag: string, from: string, bytes: number): Promise<string> {
  const dockerfile = `FROM ${from}\nRUN head -c ${bytes} /dev/urandom > /blob-${randomBytes(4).toString('hex')}\n`;
  return engine.images.build(memoryTar([{ name: 'Dockerfile', content: dockerfile }]), { tags: [tag], labels: LABELS });
}

test('transfer: several images at once share their layers on the wire; --from fetches only what is missing here', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, BASE))) return;
  const rig = await startRemote(t, 'tw');
  if (!rig) return;
  const tag = (n: string) => `tcways-${RUN}:${n}`;
  t.after(async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) await engine.images.remove(tag(n), { force: true }).catch(() => {});
  });
  const env = { TRANSFERCTL_SSH_OPTS: rig.sshOpts };
  const baseBytes = (await engine.images.inspect(BASE))!.size;

  const idA = await buildImage(engine, tag('a'), BASE, 100_000);
  const idB = await buildImage(engine, tag('b'), tag('a'), 100_000);
  const idC = await buildImage(engine, tag('c'), tag('a'), 100_000);

  await t.test('IMG1 IMG2 --to HOST: the shared base crosses once, both IDs checked there', async () => {
    const before = vethBytes(rig.hostVeth);
    const r = await runCli(['transfer', tag('b'), tag('c'), '--to', rig.dest, '--json'], { env });
    const wire = vethBytes(rig.hostVeth).tx - before.tx;
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { imageId: string; remoteImageId: string; layers: { sent: number; total: number } }[];
    assert.equal(out.length, 2);
    assert.deepEqual(out.map((o) => o.remoteImageId), [idB, idC]);
    assert.equal(out[0].layers.sent, out[0].layers.total, 'the first brings everything');
    assert.equal(out[1].layers.sent, 1, 'the second only its own layer');
    assert.ok(wire < baseBytes * 1.2, `${wire} B crossed for two images on a ${baseBytes} B base`);
    assert.equal((await rig.engine.images.inspect(tag('c')))?.id, idC);
    void idA;
  });

  await t.test("transfer-image IMAGE HOST (seed 004's verb): the same thin transfer", async () => {
    const idE = await buildImage(engine, tag('e'), tag('a'), 50_000);
    const r = await runCli(['transfer-image', tag('e'), rig.dest, '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { remoteImageId: string; layers: { sent: number } };
    assert.equal(out.remoteImageId, idE);
    assert.equal(out.layers.sent, 1, 'only the new layer; the rest is there already');
    const bad = await runCli(['transfer-image', tag('e')], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /missing required argument 'host'/);
  });

  await t.test('IMAGE --from HOST: only the layer this engine lacks comes back, same ID here', async () => {
    // An image made there, on top of one both engines have.
    const idD = await buildImage(rig.engine, tag('d'), tag('b'), 300_000);
    assert.equal(await engine.images.inspect(idD), null);
    const before = vethBytes(rig.hostVeth);
    const r = await runCli(['transfer', tag('d'), '--from', rig.dest, '--json'], { env });
    const back = vethBytes(rig.hostVeth).rx - before.rx;
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.mode, 'partial');
    assert.equal(out.layers.fetched, 1);
    assert.equal((await engine.images.inspect(tag('d')))?.id, idD, 'the same image ID here');
    assert.ok(back < 1_500_000, `${back} B came back for a 300 kB layer`);
    const again = await runCli(['transfer', tag('d'), '--from', rig.dest, '--json'], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).mode, 'none');
  });

  await t.test('--from: an image the host does not have is one clear line', async () => {
    const r = await runCli(['transfer', `tcways-${RUN}:nope`, '--from', rig.dest], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has no image "tcways-\w+:nope"/);
  });
});
