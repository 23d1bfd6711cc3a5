// serve's visitors' containers reach neither the host nor the cloud: from a shell inside a
// visitor container, the service's own port on every host address (serve listening on
// 0.0.0.0), another host port, a port the host publishes for another container and
// 169.254.169.254 (a stand-in listener on lo) all fail, while a container on the engine's
// default bridge reaches every one of them (so the probe can succeed). Over IPv6 the same: a
// visitor has none, and a container with IPv6 forced on reaches nothing of the host from the
// service network (it does from the default bridge). `serve --down` removes the rules; where
// they cannot be applied serve refuses to start unless host-firewall: false.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { networkInterfaces } from 'node:os';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { run, serveName, startTestServe, testSpec, until, warmPool } from '../helpers/serve.js';
import { removeFirewall } from '../../src/service/host-firewall.js';
import { firewallComment } from '../../src/service/firewall-plan.js';

const METADATA = '169.254.169.254';

const PROBE = `
import errno, json, socket, sys, time
out = {}
for t in json.loads(sys.argv[1]):
    host, port = t.rsplit(":", 1)
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, int(port), 0, socket.SOCK_STREAM)[0]
        s = socket.socket(family, kind, proto); s.settimeout(3)
    except Exception as e:
        out[t] = type(e).__name__; continue
    # A fresh IPv6 link-local address is unusable (EADDRNOTAVAIL) until its DAD is done (~2 s).
    for attempt in range(10):
        try:
            s.connect(address); out[t] = "open"
        except OSError as e:
            out[t] = errno.errorcode.get(e.errno, type(e).__name__) if e.errno else type(e).__name__
            if e.errno == errno.EADDRNOTAVAIL:
                s.close(); s = socket.socket(family, kind, proto); s.settimeout(3); time.sleep(0.5); continue
        break
    s.close()
print(json.dumps(out))
`;

async function rulesOf(name: string): Promise<string[]> {
  const lines: string[] = [];
  for (const tool of ['iptables', 'ip6tables']) {
    for (const chain of ['INPUT', 'DOCKER-USER', 'FORWARD']) {
      const { stdout } = await run(tool, ['-w', '-S', chain]).catch(() => ({ stdout: '' }));
      lines.push(...stdout.split('\n').filter((l) => l.includes(`"${firewallComment(name)}"`)).map((l) => `${tool} ${l}`));
    }
  }
  return lines;
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
  assert.equal((await rulesOf(spec.name)).length, 5, 'the rules are installed (3 for IPv4, 2 for IPv6), with the service\'s comment');
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

/**
 * The host side's link-local IPv6 address of a bridge, as a scoped target from inside a
 * container: once it is there and settled (a bridge gets it when a first container joins, and
 * it is 'tentative' for its duplicate address detection).
 */
async function linkLocal(bridge: string): Promise<string> {
  const address = await until(`a settled link-local address on ${bridge}`, async () => {
    const { stdout } = await run('ip', ['-6', '-o', 'addr', 'show', 'dev', bridge, 'scope', 'link']);
    return stdout.includes('tentative') ? undefined : /inet6 (fe80::[0-9a-f:]+)\//.exec(stdout)?.[1];
  }, 20_000);
  return `${address}%eth0`;
}

test('serve: visitors get no IPv6, and where an engine leaves it on they still reach nothing of the host over it', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  if (!existsSync('/proc/sys/net/ipv6')) return t.skip('this host has no IPv6 (nothing to reach over it)');
  // serve and another host program both listening on every IPv6 (and IPv4) address.
  const spec = testSpec(NOTEBOOK6_IMAGE, { listen: { address: '::', port: 0 }, pool: { size: 1, capacity: 2 } });
  t.after(async () => {
    await removeFirewall(spec.name);
  });
  const other = await listener(t, '::');
  const h = await startTestServe(t, engine, spec);
  await warmPool(h);
  const visitor = h.core.store.list()[0];
  const net = (await engine.networks.inspect(`tcs-${spec.name}-net`))!;
  assert.equal(net.ipv6, false, 'the service network is IPv4-only');

  const hostV6 = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv6' && !a.internal && !a.address.startsWith('fe80:'))
    .map((a) => a!.address);
  const bridgeLL = await linkLocal(net.bridge!);
  const targets = [bridgeLL, ...hostV6].flatMap((a) => [`${a}:${h.port}`, `${a}:${other}`]);

  // The visitor has no IPv6 address besides loopback, and reaches none of them.
  const inet6 = await engine.containers.exec(visitor.containerId, ['cat', '/proc/net/if_inet6']);
  assert.deepEqual(inet6.stdout.split('\n').filter((l) => l.trim() && !/\blo$/.test(l.trim())), [], 'no IPv6 on the visitor\'s interfaces');
  const seen = JSON.parse((await engine.containers.exec(visitor.containerId, ['python3', '-c', PROBE, JSON.stringify(targets)])).stdout) as Record<string, string>;
  for (const target of targets) assert.notEqual(seen[target], 'open', `a visitor reached ${target}`);

  // A container with IPv6 on (as an engine that keeps it on in IPv4-only networks makes them):
  // on the engine's default bridge it reaches the host's [::] listeners over link-local (the
  // probe can succeed), on the service network it reaches nothing (ip6tables rules).
  const ipv6On = ['--sysctl', 'net.ipv6.conf.all.disable_ipv6=0', '--sysctl', 'net.ipv6.conf.default.disable_ipv6=0'];
  const controlName = `tcst-v6-${spec.name}`;
  t.after(async () => {
    await run('docker', ['rm', '-f', controlName]).catch(() => {});
  });
  await run('docker', ['run', '-d', '--name', controlName, '--network', 'bridge', ...ipv6On, NOTEBOOK6_IMAGE, 'sleep', '300']);
  const docker0 = await linkLocal('docker0');
  const control = JSON.parse((await run('docker', ['exec', controlName, 'python3', '-c', PROBE, JSON.stringify([`${docker0}:${other}`, `${docker0}:${h.port}`])])).stdout);
  assert.deepEqual(Object.values(control), ['open', 'open'], `control: ${JSON.stringify(control)}`);
  const fenced = JSON.parse((await run('docker', ['run', '--rm', '--network', net.name, '--user', '1000:100', '--cap-drop', 'ALL', ...ipv6On, NOTEBOOK6_IMAGE, 'python3', '-c', PROBE, JSON.stringify(targets)])).stdout) as Record<string, string>;
  for (const target of targets) assert.notEqual(fenced[target], 'open', `an IPv6-enabled container on the service network reached ${target}`);
  t.diagnostic(`over IPv6: ${JSON.stringify(fenced)}`);
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

test('serve: a service network with IPv6 on (made by hand or by an engine default) is refused, not used', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const spec = testSpec(NOTEBOOK6_IMAGE, { pool: { size: 0, capacity: 1 } });
  const name = `tcs-${spec.name}-net`;
  t.after(async () => {
    await run('docker', ['network', 'rm', name]).catch(() => {});
    await removeFirewall(spec.name);
  });
  await run('docker', ['network', 'create', '--ipv6', '--subnet', 'fd42:7463::/64', '--label', `org.transferctl.serve.name=${spec.name}`, name]);
  await assert.rejects(startTestServe(t, engine, spec), /network tcs-.*-net has IPv6 on: visitors could reach this host over it/);
});
