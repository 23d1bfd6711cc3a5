// `transferctl serve` as a user runs it: a restarted service adopts the visitors' containers
// and routes (same URL, same kernel), removes only its own dead containers, and a bad config
// fails clearly with nothing created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { BIN, runCli } from '../helpers/cli.js';
import { runCode, startKernel } from '../helpers/jupyter.js';
import { tempDir } from '../helpers/tmp.js';
import { ADMIN, run, serveName, serviceContainers, until } from '../helpers/serve.js';

interface Started {
  child: ChildProcess;
  facts: { url: string; admin: string; adopted: number; removed: number };
}

function startCli(config: string): Promise<Started> {
  const child = spawnProcess(process.execPath, [BIN, 'serve', '-c', config, '--json'], {
    env: { ...process.env, TRANSFERCTL_SERVE_ADMIN_TOKEN: ADMIN, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      try {
        resolve({ child, facts: JSON.parse(out) });
      } catch {
        /* not all of it yet */
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

test('serve: a restarted service adopts running visitors (same URL, same kernel) and removes only its own dead containers', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const dir = tempDir(t, 'tcs-restart-');
  const name = serveName();
  const config = join(dir, 'serve.json');
  writeFileSync(config, JSON.stringify({ name, image: NOTEBOOK6_IMAGE, listen: { port: 0 }, pool: { size: 1, capacity: 3 }, limits: { memory: '512m' } }));
  const children: ChildProcess[] = [];
  t.after(async () => {
    // On failure: stop any service still running first, then remove what it made.
    for (const c of children) if (c.exitCode === null) await stop(c);
    await runCli(['serve', '-c', config, '--down']);
  });

  const first = await startCli(config);
  children.push(first.child);
  const url1 = first.facts.url;
  const health = async (url: string) => (await (await fetch(`${url}/health`)).json()) as { pool: { warm: number; assigned: number } };
  await until('a warm container', async () => (await health(url1)).pool.warm === 1, 90_000);
  const res = (await (await fetch(`${url1}/spawn`, { method: 'POST', headers: { accept: 'application/json' } })).json()) as { url: string; route: string };
  const token = /token=([0-9a-f]+)/.exec(res.url)![1];
  const kernel = await startKernel(`${url1}/user/${res.route}`, token);
  assert.equal((await runCode(`${url1}/user/${res.route}`, token, kernel, 'x = 41\nprint("set")')).stdout.trim(), 'set');
  await until('the pool to refill', async () => (await health(url1)).pool.warm === 1, 90_000);

  assert.equal(await stop(first.child), 0, 'serve stops cleanly on SIGTERM');
  const left = await serviceContainers(name);
  assert.equal(left.length, 2, `the visitor and the warm container keep running: ${left}`);

  // While the service is down: its warm container dies, and someone else's container appears
  // with a similar name. The restart must remove the first and leave the second alone.
  const warm = left.find((n) => !/-u[0-9a-z]+$/.test(n))!;
  await run('docker', ['stop', '-t', '1', warm]);
  const foreign = `tcs-${name}-not-ours`;
  await run('docker', ['create', '--name', foreign, NOTEBOOK6_IMAGE, 'true']);
  t.after(async () => {
    await run('docker', ['rm', '-f', foreign]).catch(() => {});
  });

  const second = await startCli(config);
  children.push(second.child);
  assert.equal(second.facts.adopted, 1);
  assert.equal(second.facts.removed, 1);
  const url2 = second.facts.url;
  const base2 = `${url2}/user/${res.route}`;
  const again = await runCode(base2, token, kernel, 'print(x + 1)');
  assert.equal(again.stdout.trim(), '42', 'the same kernel, with its state, through the new proxy');
  const kernels = (await (await fetch(`${base2}/api/kernels?token=${token}`)).json()) as { id: string }[];
  assert.deepEqual(kernels.map((k) => k.id), [kernel]);
  const sessions = (await (await fetch(`${second.facts.admin}/api/sessions`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as {
    sessions: { route: string; state: string }[];
  };
  assert.ok(sessions.sessions.some((s) => s.route === res.route && s.state === 'assigned'));
  const { stdout } = await run('docker', ['ps', '-a', '--filter', `name=${foreign}`, '--format', '{{.Names}}']);
  assert.equal(stdout.trim(), foreign, 'a container transferctl did not make is left alone');
  assert.ok(!(await serviceContainers(name)).includes(warm), 'its own dead container is removed');
  assert.equal(await stop(second.child), 0);

  const down = await runCli(['serve', '-c', config, '--down', '--json']);
  assert.equal(down.code, 0, down.stderr);
  assert.deepEqual(await serviceContainers(name), []);
  const nets = await run('docker', ['network', 'ls', '--filter', `name=tcs-${name}-net`, '--format', '{{.Name}}']);
  assert.equal(nets.stdout.trim(), '');
});

test('serve: a bad config, a missing image or a taken port fail clearly with nothing created', async (t) => {
  const engine = await requireEngine(t);
  const dir = tempDir(t, 'tcs-bad-');
  const name = serveName();
  const config = join(dir, 'serve.json');
  writeFileSync(config, `{\n  "name": "${name}",\n  "image": "${NOTEBOOK6_IMAGE}",\n  "pool": { "capacty": 3 }\n}\n`);
  const r = await runCli(['serve', '-c', config]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`serve\\.json:4:13: unknown key "pool\\.capacty" — did you mean "capacity"\\?`));
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');

  writeFileSync(config, JSON.stringify({ name, image: 'transferctl/no-such-image:1' }));
  const missing = await runCli(['serve', '-c', config]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /image transferctl\/no-such-image:1 is not on the engine/);
  assert.match(missing.stderr, /→ build it/);
  assert.deepEqual(await serviceContainers(name), []);
  assert.equal(await engine.networks.inspect(`tcs-${name}-net`), null, 'no network left behind');

  // A port in use: a clear error, and the network it had just made is gone again.
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  t.after(() => busy.close());
  const port = (busy.address() as net.AddressInfo).port;
  writeFileSync(config, JSON.stringify({ name, image: NOTEBOOK6_IMAGE }));
  const taken = await runCli(['serve', config, '--port', String(port)]);
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`));
  assert.match(taken.stderr, /→ another program uses that port/);
  assert.deepEqual(await serviceContainers(name), []);
  assert.equal(await engine.networks.inspect(`tcs-${name}-net`), null, 'no network left behind');
  const volumes = (await engine.volumes.list({ labels: [`org.transferctl.serve.name=${name}`] })).map((v) => v.name);
  assert.deepEqual(volumes, [], "no volume left behind (limits.disk's home seed)");
});
