// serve on the real engine: spawn, a kernel through the proxy over WebSocket, isolation
// between visitors (URL, token, network), locked-down containers, health, metrics (admin auth: service-admin.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { runCode, startKernel } from '../helpers/jupyter.js';
import { ADMIN, run, serviceContainers, spawn, splitUrl, startTestServe, testSpec, warmPool } from '../helpers/serve.js';

test('serve: visitors get their own notebook, kernels run through the proxy, visitors cannot reach each other', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const spec = testSpec(NOTEBOOK6_IMAGE, { pool: { size: 2, capacity: 3 } });
  const h = await startTestServe(t, engine, spec);

  const landing = await fetch(`${h.url}/`);
  assert.equal(landing.status, 200);
  assert.match(await landing.text(), /Start my notebook/);

  await warmPool(h);
  const t0 = Date.now();
  const a = await spawn(h);
  assert.equal(a.status, 200);
  const A = splitUrl(h, a.url!);
  const page = await fetch(`${h.url}${a.url}`);
  assert.equal(page.status, 200, 'the notebook answers through the proxy');
  t.diagnostic(`a warm notebook answered through the proxy ${Date.now() - t0} ms after the click (timed in bench/serve.ts)`);
  const b = await spawn(h);
  const B = splitUrl(h, b.url!);
  assert.notEqual(A.route, B.route);
  assert.notEqual(A.token, B.token);

  // A kernel, over the proxied WebSocket.
  const kernel = await startKernel(A.base, A.token);
  const out = await runCode(A.base, A.token, kernel, 'import os\nprint(6*7, os.getuid())');
  assert.equal(out.status, 'ok');
  assert.equal(out.stdout.trim(), '42 1000');

  // By token: A's token does not open B's notebook; by URL: an unknown route is a clear page.
  assert.equal((await fetch(`${B.base}/api/kernels?token=${A.token}`)).status, 403);
  assert.equal((await fetch(`${B.base}/api/kernels`)).status, 403);
  const unknown = await fetch(`${h.url}/user/${'0'.repeat(32)}/api/kernels`);
  assert.equal(unknown.status, 404);
  assert.match(await unknown.text(), /No notebook here/);

  // By network: from A's container, B's address and B's published port are out of reach,
  // while A reaches its own server the same way (so the probe itself works).
  const idOf = (route: string) => h.core.store.get(route)!.containerId;
  const addrB = Object.values(await engine.containers.addresses(idOf(B.route)))[0];
  const addrA = Object.values(await engine.containers.addresses(idOf(A.route)))[0];
  const gateway = addrA.replace(/\.\d+$/, '.1');
  const probe = (url: string) =>
    engine.containers.exec(idOf(A.route), ['python3', '-c', `import urllib.request,sys\ntry:\n urllib.request.urlopen("${url}", timeout=3)\nexcept urllib.error.HTTPError as e:\n print("http", e.code)\nexcept Exception as e:\n print("unreachable", type(e).__name__); sys.exit(1)\nelse:\n print("ok")`]);
  const self = await probe(`http://${addrA}:8888/user/${A.route}/api/status`);
  assert.match(self.stdout, /http 403|ok/, `A reaches itself: ${self.stdout}${self.stderr}`);
  const other = await probe(`http://${addrB}:8888/user/${B.route}/api/status`);
  assert.equal(other.exitCode, 1, `A must not reach B at ${addrB}: ${other.stdout}`);
  const published = h.core.store.get(B.route)!.hostPort;
  const viaHost = await probe(`http://${gateway}:${published}/user/${B.route}/api/status`);
  assert.equal(viaHost.exitCode, 1, `A must not reach B's published port via ${gateway}: ${viaHost.stdout}`);

  // Locked down: limits, no privilege escalation, no capabilities, no engine socket.
  const { stdout } = await run('docker', ['inspect', idOf(A.route), '--format', '{{json .HostConfig}}|{{json .Mounts}}|{{json .Config.Labels}}']);
  const [hc, mounts, labels] = stdout.trim().split('|').map((x) => JSON.parse(x));
  assert.equal(hc.Memory, 512 * 1024 ** 2);
  assert.equal(hc.NanoCpus, 1e9);
  assert.equal(hc.PidsLimit, 128);
  assert.deepEqual(hc.SecurityOpt, ['no-new-privileges']);
  assert.deepEqual(hc.CapDrop, ['ALL']);
  assert.equal(hc.PortBindings['8888/tcp'][0].HostIp, '127.0.0.1');
  assert.deepEqual(mounts, []);
  assert.equal(labels['org.transferctl.serve.name'], spec.name);
  assert.equal(labels['org.opencontainers.image.title'].includes(spec.name), true);
  const sock = await engine.containers.exec(idOf(A.route), ['sh', '-c', 'test -e /var/run/docker.sock && echo present || echo absent']);
  assert.equal(sock.stdout.trim(), 'absent');

  // Health and metrics.
  const health = (await (await fetch(`${h.url}/health`)).json()) as { status: string; pool: { assigned: number } };
  assert.equal(health.status, 'ok');
  assert.equal(health.pool.assigned, 2);
  const metrics = await (await fetch(`${h.adminUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
  assert.match(metrics, /^transferctl_serve_containers_assigned 2$/m);
  assert.match(metrics, /^transferctl_serve_proxy_requests_total\{kind="websocket"\} [1-9]/m);
  assert.match(metrics, /^# TYPE transferctl_serve_capacity gauge$/m);
  assert.equal((await serviceContainers(spec.name)).length, 3, 'capacity 3: two visitors and one warm');
});
