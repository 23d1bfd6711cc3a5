// serve is honest when something breaks: /health says 503 and why when notebooks keep failing
// to start (details in the admin API); the service makes its network again when it was
// removed under it and the pool recovers; `serve --down` refuses while the service runs
// unless --force, which stops it first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { BIN, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { ADMIN, run, serveName, serviceContainers, spawn, splitUrl, startTestServe, testSpec, until, warmPool } from '../helpers/serve.js';
import { firewallComment } from '../../src/service/firewall-plan.js';

test('serve: /health is 503 with the reason when the last starts failed; the admin API has the error', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const spec = testSpec(NOTEBOOK6_IMAGE, { pool: { size: 1, capacity: 2 }, jupyter: { command: ['sh', '-c', 'echo broken image >&2; exit 3', '--'] } });
  const h = await startTestServe(t, engine, spec);
  const body = await until(
    '/health to say 503',
    async () => {
      const r = await fetch(`${h.url}/health`);
      return r.status === 503 && ((await r.json()) as { status: string; pool: { warm: number } });
    },
    120_000,
  );
  assert.equal(body.status, 'notebooks fail to start');
  assert.equal(body.pool.warm, 0, 'the pool counts stay');
  assert.ok(!JSON.stringify(body).includes('broken image'), 'no error details in public');
  const admin = await fetch(`${h.adminUrl}/admin/api/health`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(admin.status, 503);
  const details = (await admin.json()) as { failedStartsInARow: number; lastStartError: string };
  assert.ok(details.failedStartsInARow >= 3);
  assert.ok(details.lastStartError.length > 0, 'the admin sees the last error');
});

test('serve: a network removed under the service is made again (with its firewall rules) and the pool recovers', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const spec = testSpec(NOTEBOOK6_IMAGE, { pool: { size: 1, capacity: 2 } });
  const h = await startTestServe(t, engine, spec);
  await warmPool(h);
  const net = `tcs-${spec.name}-net`;
  const before = (await engine.networks.inspect(net))!.id;
  for (const c of await serviceContainers(spec.name)) await run('docker', ['rm', '-f', c]);
  await run('docker', ['network', 'rm', net]);

  // The next visitor still gets a notebook (the stale warm one is dropped, a new one started).
  const a = await until('a notebook after the network was removed', async () => {
    const r = await spawn(h);
    return r.status === 200 ? r : r.status === 202 ? await until('served', async () => {
      const j = (await (await fetch(`${h.url}/api/wait/${r.ticket}`)).json()) as { url?: string; gone?: boolean };
      return j.url ? { ...r, url: j.url } : j.gone ? { ...r, url: undefined } : undefined;
    }, 90_000) : undefined;
  }, 120_000);
  const A = splitUrl(h, a.url!);
  assert.equal((await fetch(`${A.base}/api/status?token=${A.token}`)).status, 200);
  const after = await engine.networks.inspect(net);
  assert.ok(after && after.id !== before, 'a new network');
  const { stdout } = await run('iptables', ['-w', '-S']);
  const rules = stdout.split('\n').filter((l) => l.includes(`"${firewallComment(spec.name)}"`));
  assert.equal(rules.length, 3);
  assert.ok(rules.every((l) => l.includes(after.bridge!)), 'the rules follow the new bridge');
  assert.equal((await fetch(`${h.url}/health`)).status, 200);
});

test('serve --down refuses while the service runs; --force stops it first', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const dir = tempDir(t, 'tcs-down-');
  const name = serveName();
  const config = join(dir, 'serve.json');
  writeFileSync(config, JSON.stringify({ name, image: NOTEBOOK6_IMAGE, listen: { port: 0 }, pool: { size: 1, capacity: 2 }, limits: { memory: '512m' } }));
  const child: ChildProcess = spawnProcess(process.execPath, [BIN, 'serve', '-c', config, '--json'], {
    env: { ...process.env, TRANSFERCTL_SERVE_ADMIN_TOKEN: ADMIN, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await runCli(['serve', '-c', config, '--down', '--force']);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let out = '';
  const facts = await new Promise<{ url: string }>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      try {
        resolve(JSON.parse(out));
      } catch {
        /* more */
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
  await until('a warm container', async () => ((await (await fetch(`${facts.url}/health`)).json()) as { pool: { warm: number } }).pool.warm === 1, 90_000);

  const refused = await runCli(['serve', '-c', config, '--down']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`service "${name}" is still running \\(pid ${child.pid}`));
  assert.match(refused.stderr, /--force/);
  assert.equal((await serviceContainers(name)).length, 1, 'nothing removed');
  assert.equal((await fetch(`${facts.url}/health`)).status, 200, 'the service runs on');

  const forced = await runCli(['serve', '-c', config, '--down', '--force', '--json']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(await exited, 0, 'the service was stopped (cleanly) first');
  assert.deepEqual(await serviceContainers(name), []);
  assert.equal(await engine.networks.inspect(`tcs-${name}-net`), null);
});
