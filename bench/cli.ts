// npm run bench -- cli [ROUNDS]
// The CLI's own cost: `transferctl status` against `docker ps -a` (both list every container
// and exit), `transferctl --help` against `docker --help`; alternating, medians and the ratio.
import { fileURLToPath } from 'node:url';
import { discoverEndpoint } from '../src/engine/discovery.js';
import { median, report, sh, fmtMs, fmtRatio } from './_lib.js';

const BIN = fileURLToPath(new URL('../bin/transferctl.js', import.meta.url));

async function clock(cmd: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  await sh(cmd, args);
  return performance.now() - t0;
}

async function pair(rounds: number, ours: string[], theirs: [string, string[]]): Promise<{ ours: number; theirs: number }> {
  const a: number[] = [];
  const b: number[] = [];
  // one untimed run each: the code cache and the engine's first answer are warm afterwards
  await clock(process.execPath, [BIN, ...ours]);
  await clock(...theirs);
  for (let i = 0; i < rounds; i++) {
    if (i % 2) {
      b.push(await clock(...theirs));
      a.push(await clock(process.execPath, [BIN, ...ours]));
    } else {
      a.push(await clock(process.execPath, [BIN, ...ours]));
      b.push(await clock(...theirs));
    }
  }
  return { ours: median(a), theirs: median(b) };
}

/**
 * The floor for any Node CLI: Node starts, sends one request to the engine with node:http
 * (the same list `docker ps -a` asks for) and prints how many containers there are.
 */
function floorScript(socketPath: string): string {
  return `require('node:http').get({ socketPath: ${JSON.stringify(socketPath)}, path: '/containers/json?all=1' }, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => process.stdout.write(JSON.parse(b).length + '\\n')); });`;
}

export default async function bench(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? 15);
  const socketPath = discoverEndpoint().socketPath;
  const status = await pair(rounds, ['status'], ['docker', ['ps', '-a']]);
  const floor = socketPath ? await pair(rounds, ['status'], [process.execPath, ['-e', floorScript(socketPath)]]) : undefined;
  const help = await pair(rounds, ['--help'], ['docker', ['--help']]);
  const version = await pair(rounds, ['--version'], [process.execPath, ['-e', '0']]);
  report(`CLI start-up, medians of ${rounds} alternating runs`, [
    ['transferctl status', fmtMs(status.ours)],
    ['docker ps -a', fmtMs(status.theirs)],
    ['ratio', fmtRatio(status.ours / status.theirs, '≤ 3')],
    ['transferctl --help', fmtMs(help.ours)],
    ['docker --help', fmtMs(help.theirs)],
    ['ratio', fmtRatio(help.ours / help.theirs)],
    // What is ours beyond starting Node at all (the ratio's floor is node -e 0 / docker ps -a).
    ['status beyond node -e 0', fmtMs(status.ours - version.theirs)],
    ...(floor
      ? ([
          ['node + one engine request', fmtMs(floor.theirs)],
          ['its ratio to docker ps -a (the floor)', fmtRatio(floor.theirs / status.theirs)],
          ['status beyond it (same rounds)', fmtMs(floor.ours - floor.theirs)],
        ] as [string, string][])
      : []),
    ['transferctl --version', fmtMs(version.ours)],
    ['node -e 0', fmtMs(version.theirs)],
    ['ratio', fmtRatio(version.ours / version.theirs)],
  ]);
}
