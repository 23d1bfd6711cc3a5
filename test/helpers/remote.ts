// A "remote host" for transfer tests: a second dockerd in its own network namespace behind a
// real sshd (scripts/remote-engine.sh). Skips locally / fails in CI when it cannot be made.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { engineAt, type Engine } from '../../src/engine/index.js';

const run = promisify(execFile);
export const RIG = fileURLToPath(new URL('../../scripts/remote-engine.sh', import.meta.url));

export interface RemoteRig {
  name: string;
  /** root@10.201.X.2 */
  dest: string;
  host: string;
  sock: string;
  hostVeth: string;
  /** For TRANSFERCTL_SSH_OPTS / ssh itself: key, known_hosts, batch mode. */
  sshOpts: string;
  /** The second engine, straight through its socket (for assertions, not transfers). */
  engine: Engine;
  down(): Promise<void>;
}

function parse(out: string): Record<string, string> {
  return Object.fromEntries(
    out
      .split('\n')
      .map((l) => /^([A-Z_]+)=(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => [m[1], m[2]]),
  );
}

/** hide: folders of this machine the rig's engine must not see (as on a real remote host). */
export async function startRemote(t: TestContext, prefix = 't', opts: { hide?: string[] } = {}): Promise<RemoteRig | undefined> {
  if (process.getuid?.() !== 0) {
    if (process.env.CI === 'true') throw new Error('CI=true but the transfer rig needs root (netns, second dockerd)');
    t.skip('the remote-engine rig needs root');
    return undefined;
  }
  const name = `${prefix}${randomBytes(3).toString('hex')}`.slice(0, 10);
  const octet = String(10 + (randomBytes(1)[0] % 240));
  const down = async () => {
    await run('bash', [RIG, 'down', name]).catch(() => {});
  };
  t.after(down);
  let out: string;
  try {
    await run('bash', [RIG, 'prune']).catch(() => {}); // rigs of test runs that were killed
    out = (await run('bash', [RIG, 'up', name, octet], { timeout: 120_000, env: { ...process.env, OWNER_PID: String(process.pid), HIDE_PATHS: (opts.hide ?? []).join(':') } })).stdout;
  } catch (err) {
    const msg = `remote-engine rig failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`;
    if (process.env.CI === 'true') throw new Error(msg);
    t.skip(msg);
    return undefined;
  }
  const v = parse(out);
  return {
    name,
    dest: `root@${v.REMOTE_HOST}`,
    host: v.REMOTE_HOST,
    sock: v.REMOTE_SOCK,
    hostVeth: v.HOST_VETH,
    sshOpts: v.SSH_OPTS,
    engine: engineAt(`unix://${v.REMOTE_SOCK}`, 'test rig'),
    down,
  };
}

/** Bytes that crossed the host-side veth (both directions), from the kernel's counters. */
export function vethBytes(veth: string): { tx: number; rx: number } {
  const read = (f: string) => Number(readFileSync(`/sys/class/net/${veth}/statistics/${f}`, 'utf8').trim());
  return { tx: read('tx_bytes'), rx: read('rx_bytes') };
}

/** Copy an image into the rig's engine straight through its socket (docker save | docker load). */
export async function seedRemote(rig: RemoteRig, ref: string): Promise<void> {
  await run('sh', ['-c', `docker save '${ref}' | DOCKER_HOST=unix://${rig.sock} docker load -q`], { maxBuffer: 1 << 20 });
}

/** IDs of the local engine's image events of one kind since a moment (e.g. "load"): where a load went. */
export async function localEvents(since: number, event: string): Promise<string[]> {
  const { stdout } = await run('docker', [
    'events',
    '--since',
    String(Math.floor(since / 1000)),
    '--until',
    String(Math.ceil(Date.now() / 1000) + 1),
    '--filter',
    'type=image',
    '--filter',
    `event=${event}`,
    '--format',
    '{{.ID}}',
  ]);
  return stdout.split('\n').filter(Boolean);
}
