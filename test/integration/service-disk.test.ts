// serve's visitors cannot fill the host's disk: the root filesystem is read-only, home (with
// the notebooks the image carries), /tmp and the image's VOLUMEs are size-limited tmpfs —
// tested by writing past the limit from a shell in a visitor container. No swap; no
// anonymous volume piles up (with limits.disk off too).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { ADMIN, run, spawn, splitUrl, startTestServe, testSpec, warmPool } from '../helpers/serve.js';
import { serveDown } from '../../src/service/service.js';

/** The notebook image plus a notebook in home and a VOLUME, as a workshop image would have. */
async function workshopImage(t: TestContext): Promise<string> {
  const tag = `tcst-disk:${randomBytes(3).toString('hex')}`;
  const dockerfile = `FROM ${NOTEBOOK6_IMAGE}\nUSER 1000:100\nRUN printf '{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}' > /home/jovyan/lesson.ipynb\nVOLUME /data\n`;
  const child = run('docker', ['build', '-q', '-t', tag, '-']);
  child.child.stdin!.end(dockerfile);
  await child;
  t.after(async () => {
    await run('docker', ['rmi', '-f', tag]).catch(() => {});
  });
  return tag;
}

const sh = (h: { core: { store: { list(): { containerId: string }[] } } }, engine: Awaited<ReturnType<typeof requireEngine>>, id: string, script: string) =>
  engine.containers.exec(id, ['sh', '-c', script]);

async function volumeCount(): Promise<number> {
  return (await run('docker', ['volume', 'ls', '-q'])).stdout.split('\n').filter(Boolean).length;
}

test('serve: limits.disk — a read-only root, home (with the image\'s notebooks), /tmp and VOLUMEs that cannot be written past the limit; no swap; no volumes left', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const image = await workshopImage(t);
  const volumesBefore = await volumeCount();
  const spec = testSpec(image, { pool: { size: 1, capacity: 2 }, limits: { memory: '512m', cpus: 1, pids: 128, disk: '64m' } });
  const h = await startTestServe(t, engine, spec);
  await warmPool(h);
  const a = await spawn(h);
  const A = splitUrl(h, a.url!);
  const id = h.core.store.get(A.route)!.containerId;

  // The notebook the image carries is there, and Jupyter serves it through the proxy.
  const contents = (await (await fetch(`${A.base}/api/contents?token=${A.token}`)).json()) as { content: { name: string }[] };
  assert.ok(contents.content.some((f) => f.name === 'lesson.ipynb'), JSON.stringify(contents));
  const saved = await fetch(`${A.base}/api/contents/new.ipynb?token=${A.token}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'notebook', content: { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 } }),
  });
  assert.equal(saved.status, 201, 'a visitor saves notebooks in home');

  // Writing past the limit fails, in home, /tmp and the VOLUME; the root is read-only.
  for (const dir of ['$HOME', '/tmp', '/data']) {
    const w = await sh(h, engine, id, `dd if=/dev/zero of=${dir}/fill bs=1M count=100 2>&1; echo "exit=$?"; du -sm ${dir}/fill | cut -f1`);
    assert.match(w.stdout, /No space left on device/, `${dir}: ${w.stdout}`);
    assert.match(w.stdout, /exit=1/);
    const mb = Number(w.stdout.trim().split('\n').pop());
    assert.ok(mb <= 64, `${dir}: ${mb} MB written with a 64 MB limit`);
  }
  for (const path of ['/etc/x', '/usr/local/x', '/var/tmp/x', '/opt/x']) {
    const r = await sh(h, engine, id, `touch ${path} 2>&1; echo "exit=$?"`);
    assert.match(r.stdout, /Read-only file system/, `${path}: ${r.stdout}`);
  }

  const { stdout } = await run('docker', ['inspect', id, '--format', '{{json .HostConfig}}']);
  const hc = JSON.parse(stdout);
  assert.equal(hc.MemorySwap, hc.Memory, 'no swap');
  assert.equal(hc.ReadonlyRootfs, true);

  // Ended visitors and --down leave no volume behind (no anonymous ones, and the home seed goes).
  await fetch(`${h.adminUrl}/admin/api/sessions/${A.route}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
  await h.close();
  await serveDown(engine, spec);
  assert.equal(await volumeCount(), volumesBefore, 'no volume left');
});

test('serve: with limits.disk false, the anonymous volumes of an image\'s VOLUME go with their container', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const image = await workshopImage(t);
  const spec = testSpec(image, { pool: { size: 1, capacity: 2 }, limits: { memory: '512m', cpus: 1, pids: 128, disk: false } });
  const h = await startTestServe(t, engine, spec);
  await warmPool(h);
  const a = await spawn(h);
  const A = splitUrl(h, a.url!);
  const { stdout } = await run('docker', ['inspect', h.core.store.get(A.route)!.containerId, '--format', '{{range .Mounts}}{{if eq .Destination "/data"}}{{.Name}}{{end}}{{end}}']);
  const volume = stdout.trim();
  assert.ok(volume, 'the image\'s VOLUME got an anonymous volume');
  const del = await fetch(`${h.adminUrl}/admin/api/sessions/${A.route}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(del.status, 200);
  const left = await run('docker', ['volume', 'ls', '-q', '--filter', `name=${volume}`]);
  assert.equal(left.stdout.trim(), '', 'removed with its container');
});
