// npm run bench -- transfer
// A ~700 MB image (Debian bookworm + a 500 MB random layer, cached between runs) plus a
// 5 MB change, sent to a second dockerd behind sshd over a veth limited to 100 Mbit/s, the
// remote already holding the base. In one run: `transferctl transfer` against
// `docker save IMAGE | ssh host docker load`. Prints bytes on the wire (veth counters),
// times, both ratios, and where transferctl's time goes.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createEngine, engineAt } from '../src/engine/index.js';
import { memoryTar } from '../src/context-tar.js';
import { fmtMs, fmtRatio, report, sh, timed } from './_lib.js';

const exec = promisify(execFile);
const RIG = fileURLToPath(new URL('../scripts/remote-engine.sh', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/transferctl.js', import.meta.url));
const FROM = 'transferctl/debian:bookworm';
const BASE = 'transferctl-bench/transfer-base:v1';
const LABELS = { 'org.transferctl.managed': 'true', 'org.transferctl.role': 'temporary', 'org.transferctl.bench': 'transfer' };
const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

function veth(dev: string): { tx: number; rx: number } {
  const read = (f: string) => Number(readFileSync(`/sys/class/net/${dev}/statistics/${f}`, 'utf8'));
  return { tx: read('tx_bytes'), rx: read('rx_bytes') };
}

async function build(tag: string, from: string, bytes: number): Promise<string> {
  const engine = createEngine();
  const dockerfile = `FROM ${from}\nRUN head -c ${bytes} /dev/urandom > /data-${randomBytes(4).toString('hex')}.bin\n`;
  return engine.images.build(memoryTar([{ name: 'Dockerfile', content: dockerfile }]), { tags: [tag], labels: LABELS });
}

export default async function bench(): Promise<void> {
  const engine = createEngine();
  if (!(await engine.images.inspect(FROM))) throw new Error(`${FROM} is missing: run scripts/test-images.sh`);
  if (!(await engine.images.inspect(BASE))) {
    console.log(`building ${BASE} (a 500 MB random layer on ${FROM}; cached for later runs)…`);
    await build(BASE, FROM, 500_000_000);
  }
  const run = randomBytes(3).toString('hex');
  const app = `transferctl-bench/transfer-app:${run}`;
  const appId = await build(app, BASE, 5_000_000);
  const name = `bt${run}`;
  const octet = String(10 + (randomBytes(1)[0] % 240));
  let dev = '';
  try {
    const up = await sh('bash', [RIG, 'up', name, octet]);
    const v = Object.fromEntries(up.split('\n').map((l) => l.split(/=(.*)/s)).filter((p) => p.length > 1)) as Record<string, string>;
    dev = v.HOST_VETH;
    const dest = `root@${v.REMOTE_HOST}`;
    const sshOpts = v.SSH_OPTS.split(' ');
    const remote = engineAt(`unix://${v.REMOTE_SOCK}`, 'bench rig');
    console.log(`remote engine ready; loading ${BASE} into it directly (not over the link)…`);
    await sh('sh', ['-c', `docker save ${BASE} | DOCKER_HOST=unix://${v.REMOTE_SOCK} docker load -q`]);
    await exec('tc', ['qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', '100mbit', 'burst', '256kb', 'latency', '50ms']);

    // Pieces of the time, measured apart: the local save alone (and its size), one ssh session.
    const save = await timed(() => sh('sh', ['-c', `docker save ${app} | wc -c`]));
    const imageBytes = Number(save.value.trim());
    const ssh1 = await timed(() => sh('ssh', [...sshOpts, dest, 'true']));

    // Baseline: docker save | ssh host docker load.
    let before = veth(dev);
    const base = await timed(() => sh('sh', ['-c', `docker save ${app} | ssh ${sshOpts.join(' ')} ${dest} docker load`]));
    let after = veth(dev);
    const baseWire = { tx: after.tx - before.tx, rx: after.rx - before.rx };
    const baseId = (await remote.images.inspect(app))?.id;
    await remote.images.remove(app, { force: true }); // the same starting point for ours

    // Ours.
    before = veth(dev);
    const ours = await timed(() =>
      sh(process.execPath, [BIN, 'transfer', app, dest, '--json'], { env: { ...process.env, TRANSFERCTL_SSH_OPTS: sshOpts.join(' ') } }),
    );
    after = veth(dev);
    const oursWire = { tx: after.tx - before.tx, rx: after.rx - before.rx };
    const result = JSON.parse(ours.value) as {
      bytesSent: number;
      layerBytesSent: number;
      layers: { sent: number };
      remoteImageId: string;
      timings: Record<string, number>;
    };
    // The new layer as it travels: its layer.tar (5 MB of content plus tar headers).
    const newLayer = result.layerBytesSent;
    if (result.layers.sent !== 1) throw new Error(`expected one layer to travel, got ${result.layers.sent}`);

    report(`transfer: ${app} (${mb(imageBytes)} image, ${mb(newLayer)} new layer) over a 100 Mbit/s veth, base already there`, [
      ['baseline docker save | ssh docker load', `${fmtMs(base.ms)}, ${mb(baseWire.tx)} to the remote, ${mb(baseWire.rx)} back`],
      ['transferctl transfer', `${fmtMs(ours.ms)}, ${mb(oursWire.tx)} to the remote, ${mb(oursWire.rx)} back`],
      ['  tarball sent (layer bytes)', `${mb(result.bytesSent)} (${mb(result.layerBytesSent)})`],
      ['bytes ratio: ours on the wire / new layer', fmtRatio(oursWire.tx / newLayer, '≤ 1.05')],
      ['bytes ratio: ours / baseline (on the wire)', fmtRatio(oursWire.tx / baseWire.tx)],
      ['time ratio: ours / baseline', fmtRatio(ours.ms / base.ms, '≤ 0.2')],
      ['image IDs equal (baseline, ours, local)', String(baseId === appId && result.remoteImageId === appId)],
    ]);
    const t = result.timings;
    report('where transferctl spends its time', [
      ['probe: ssh connects, remote docker info/images/inspect (docker save already running)', fmtMs(t.probe)],
      ['send: rest of docker save → filter → ssh → remote docker load → ID check', fmtMs(t.send)],
      ['  of which reading the whole docker save stream', fmtMs(t.readSave)],
      ['verify (only when nothing travels; otherwise inside send)', fmtMs(t.verify)],
      ['process start, local inspect, rest', fmtMs(ours.ms - t.probe - t.send - t.verify)],
      ['for reference: docker save of the image to /dev/null', fmtMs(save.ms)],
      ['for reference: one `ssh host true`', fmtMs(ssh1.ms)],
    ]);
    console.log(
      '\nEngine API 1.41 exports whole images only: `docker save` writes every layer to a temporary folder, then' +
        ' streams the whole image. transferctl starts it while ssh connects and the remote is asked, reads the stream' +
        ' without writing it to disk, and forwards only the new layer; what remains is that local save (compare the' +
        ' reference line), one ssh session (probe, then load and ID check in the same session), and the remote' +
        ' `docker load` of the small tarball. The baseline is bound by the link: ~710 MB at 100 Mbit/s.',
    );
  } finally {
    if (dev) await exec('tc', ['qdisc', 'del', 'dev', dev, 'root']).catch(() => {});
    await exec('bash', [RIG, 'down', name]).catch(() => {});
    await engine.images.remove(app, { force: true }).catch(() => {});
  }
}
