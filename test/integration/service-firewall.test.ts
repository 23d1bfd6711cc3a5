// serve's visitors' containers reach neither the host nor the cloud: from a shell inside a
// visitor container, the service's own port on every host address (serve listening on
// 0.0.0.0), another host port, a port the host publishes for another container and
// 169.254.169.254 (a stand-in listener on lo) all fail, while a container on the engine's
// default bridge reaches every one of them (so the probe can succeed). `serve --down` removes
// the rules; where they cannot be applied serve refuses to start unless host-firewall: false.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { networkInterfaces } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { run, serveName, startTestServe, testSpec, warmPool } from '../helpers/serve.js';
import { removeFirewall } from '../../src/service/host-firewall.js';
import { firewallComment } from '../../src/service/firewall-plan.js';

const METADATA = '169.254.169.254';

const PROBE = `
import json, socket, sys
out = {}
for t in json.loads(sys.argv[1]):
    host, port = t.rsplit(":", 1)
    s = socket.socket(); s.settimeout(3)
    try:
        s.connect((host, int(port))); out[t] = "open"
    except Exception as e:
        out[t] = type(e).__name__
    finally:
        s.close()
print(json.dumps(out))
`;

async function rulesOf(name: string): Promise<string[]> {
  const { stdout } = await run('iptables', ['-w', '-S']);
  return stdout.split('\n').filter((l) => l.includes(`"${firewallComment(name)}"`));
}

async function listener(t: TestContext, host: string, port = 0): Promise<number> {
  const server = http.createServer((_req, res) => res.end('stand-in'));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  t.after(() => new Promise((r) => server.close(r)));
  return (server.address() as { port: number }).port;
}

test('serve: a visitor container reaches no host port on any host address, no published port and no cloud metadata; --down removes the rules', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const spec = testSpec(NOTEBOOK6_IMAGE, { listen: { address: '0.0.0.0', port: 0 }, pool: { size: 1, capacity: 2 } });
  // Whatever happens, no rule of this test's service stays behind.
  t.after(async () => {
    await removeFirewall(spec.name);
  });

  // Stand-ins: the metadata address on lo, another host port on every address, a port the
  // host publishes for another container.
  await run('ip', ['addr', 'add', `${METADATA}/32`, 'dev', 'lo']);
  t.after(async () => {
    await run('ip', ['addr', 'del', `${METADATA}/32`, 'dev', 'lo']).catch(() => {});
  });
  await listener(t, METADATA, 80);
  const other = await listener(t, '0.0.0.0');
  const published = `tcst-published-${spec.name}`;
  t.after(async () => {
    await run('docker', ['rm', '-f', published]).catch(() => {});
  });
  await run('docker', ['run', '-d', '--name', published, '-p', '0.0.0.0::8000', NOTEBOOK6_IMAGE, 'python3', '-m', 'http.server', '8000']);
  const pubPort = Number((await run('docker', ['port', published, '8000/tcp'])).stdout.split('\n')[0].split(':').pop());

  const h = await startTestServe(t, engine, spec);
  await warmPool(h);
  assert.equal((await rulesOf(spec.name)).length, 3, 'the rules are installed, with the service\'s comment');
  const visitor = h.core.store.list()[0];

  const hostAddrs = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
  const gateway = Object.values(await engine.containers.addresses(visitor.containerId))[0].replace(/\.\d+$/, '.1');
  if (!hostAddrs.includes(gateway)) hostAddrs.push(gateway);
  const targets = [
    ...hostAddrs.flatMap((a) => [`${a}:${h.port}`, `${a}:${other}`, `${a}:${pubPort}`]),
    `${METADATA}:80`,
  ];

  // The control: a container on the engine's default bridge reaches every target.
  const control = JSON.parse((await run('docker', ['run', '--rm', '--network', 'bridge', NOTEBOOK6_IMAGE, 'python3', '-c', PROBE, JSON.stringify(targets)])).stdout);
  for (const target of targets.filter((x) => !x.startsWith(gateway))) assert.equal(control[target], 'open', `control: ${target} → ${control[target]}`);

  // The visitor reaches none of them.
  const probe = await engine.containers.exec(visitor.containerId, ['python3', '-c', PROBE, JSON.stringify(targets)]);
  const seen = JSON.parse(probe.stdout) as Record<string, string>;
  for (const target of targets) assert.notEqual(seen[target], 'open', `a visitor reached ${target}`);
  t.diagnostic(`blocked from a visitor: ${targets.join(', ')}`);

  // The service itself still reaches the visitor (its proxy works through the rules).
  const res = await fetch(`${h.url}/spawn`, { method: 'POST', headers: { accept: 'application/json' } });
  const { url } = (await res.json()) as { url: string };
  assert.equal((await fetch(`${h.url}${url}`)).status, 200);

  // --down removes the rules.
  await h.close();
  const down = await runCli(['serve', '-c', writeConfig(t, spec.name), '--down', '--json']);
  assert.equal(down.code, 0, down.stderr);
  assert.deepEqual(await rulesOf(spec.name), []);
});

function writeConfig(t: TestContext, name: string, extra: object = {}): string {
  const file = join(tempDir(t, 'tcs-fw-'), 'serve.json');
  writeFileSync(file, JSON.stringify({ name, image: NOTEBOOK6_IMAGE, listen: { port: 0 }, pool: { size: 0, capacity: 1 }, ...extra }));
  return file;
}

test('serve: where its firewall rules cannot be applied, serve refuses to start (nothing made) unless network.host-firewall is false', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const name = serveName();
  t.after(async () => {
    await runCli(['serve', '-c', writeConfig(t, name), '--down']);
  });
  // No iptables on PATH (Debian keeps it in /usr/sbin).
  const env = { PATH: '/usr/bin:/bin' };
  const refused = await runCli(['serve', '-c', writeConfig(t, name)], { env });
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /cannot fence in its visitors' containers: iptables is not installed/);
  assert.match(refused.stderr, /"host-firewall": false/);
  assert.doesNotMatch(refused.stderr, /at .*\.js:\d+/, 'no stack trace');
  assert.equal(await engine.networks.inspect(`tcs-${name}-net`), null, 'nothing made');

  // The operator says they filter the network: it starts (and says where).
  const h = await startTestServe(t, engine, testSpec(NOTEBOOK6_IMAGE, { name, pool: { size: 0, capacity: 1 }, network: { 'host-firewall': false } }));
  assert.equal((await fetch(`${h.url}/health`)).status, 200);
  assert.deepEqual(await rulesOf(name), []);
});
