// A real two-node Docker Swarm for a test file (scripts/swarm-rig.sh): the host's engine as
// manager, a namespaced second dockerd as worker, a registry on the veth address. Set up once
// per file (before), torn down after it even when a test failed (after); a rig a killed run
// left is pruned first. Run the file under the engine lock: the host is in swarm mode meanwhile.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { engineAt, type Engine } from '../../src/engine/index.js';

const run = promisify(execFile);
export const SWARM_RIG = fileURLToPath(new URL('../../scripts/swarm-rig.sh', import.meta.url));
const REMOTE_RIG = fileURLToPath(new URL('../../scripts/remote-engine.sh', import.meta.url));

export interface SwarmRig {
  name: string;
  managerAddr: string;
  workerAddr: string;
  managerNode: string;
  workerNode: string;
  /** host:port of the registry on the veth address (the worker may pull from it over HTTP). */
  registry: string;
  workerSock: string;
  workerDir: string;
  /** ssh options (key, known_hosts, batch mode) that reach root@workerAddr: TRANSFERCTL_SSH_OPTS. */
  sshOpts: string;
  /** The worker's engine, straight through its socket (for assertions). */
  worker: Engine;
  /** `docker` on the worker. */
  wdocker(...args: string[]): Promise<string>;
  /** Put an image into the registry (pushed from the worker, which may use plain HTTP) and tag it
   * on the manager under the same name; the worker then has only what it pulls. Returns the name. */
  publish(image: string): Promise<string>;
  killWorkerEngine(): Promise<void>;
  restartWorkerEngine(): Promise<void>;
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

/** Make the rig, or say why not: { skip } locally, an exception in CI. */
export async function startSwarmRig(): Promise<SwarmRig | { skip: string }> {
  const fail = (msg: string) => {
    if (process.env.CI === 'true') throw new Error(`CI=true but ${msg}`);
    return { skip: msg };
  };
  if (process.getuid?.() !== 0) return fail('the swarm rig needs root (netns, second dockerd)');
  await run('bash', [SWARM_RIG, 'prune']).catch(() => {});
  const name = `sw${randomBytes(3).toString('hex')}`;
  const octet = String(10 + (randomBytes(1)[0] % 240));
  const tags: string[] = [];
  let v: Record<string, string>;
  try {
    v = parse((await run('bash', [SWARM_RIG, 'up', name, octet], { timeout: 180_000, env: { ...process.env, OWNER_PID: String(process.pid) } })).stdout);
  } catch (err) {
    return fail(`the swarm rig failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
  }
  const workerSock = v.REMOTE_SOCK;
  const wdocker = async (...args: string[]) => (await run('docker', args, { env: { ...process.env, DOCKER_HOST: `unix://${workerSock}` }, maxBuffer: 16 << 20 })).stdout;
  const rig: SwarmRig = {
    name,
    managerAddr: v.MANAGER_ADDR,
    workerAddr: v.WORKER_ADDR,
    managerNode: v.MANAGER_NODE,
    workerNode: v.WORKER_NODE,
    registry: v.REGISTRY,
    workerSock,
    workerDir: v.REMOTE_DIR,
    sshOpts: v.SSH_OPTS,
    worker: engineAt(`unix://${workerSock}`, 'swarm rig'),
    wdocker,
    async publish(image) {
      const ref = `${v.REGISTRY}/${image.replace(/^[^/]*\.[^/]*\//, '')}`;
      await run('sh', ['-c', `docker save '${image}' | DOCKER_HOST=unix://${workerSock} docker load -q`], { maxBuffer: 1 << 20 });
      await wdocker('tag', image, ref);
      await wdocker('push', ref);
      await wdocker('rmi', image, ref);
      await run('docker', ['tag', image, ref]);
      tags.push(ref);
      return ref;
    },
    async killWorkerEngine() {
      const pid = Number(readFileSync(`${v.REMOTE_DIR}/dockerd.pid`, 'utf8').trim());
      process.kill(pid, 'SIGKILL');
    },
    async restartWorkerEngine() {
      await run('bash', [REMOTE_RIG, 'restart-dockerd', name], { timeout: 120_000 });
    },
    async down() {
      for (const t of tags) await run('docker', ['rmi', t]).catch(() => {});
      await run('bash', [SWARM_RIG, 'down', name], { timeout: 180_000 }).catch(() => {});
    },
  };
  return rig;
}
