// The work continues on another engine, by each of the three routes: a workspace on engine A
// (this machine's) with a notebook, a data file and a package installed in the running
// container is saved, then reaches engine B (a second dockerd in a network namespace behind
// sshd) by (1) push + pull through a registry, (2) transfer over ssh, (3) export + import;
// there `up --from` runs with DOCKER_HOST=ssh://B and the test checks: the folder equals A's,
// `dpkg -l` and `pip list` inside equal A's, and the notebook's cells re-run on B through the
// printed URL (a port forwarded over ssh) print what they printed on A.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { BIN, runCli } from '../helpers/cli.js';
import { runCode, startKernel } from '../helpers/jupyter.js';
import { startRegistry } from '../helpers/registry.js';
import { startRemote, type RemoteRig } from '../helpers/remote.js';
import { tempDir } from '../helpers/tmp.js';
import type { Engine } from '../../src/engine/index.js';
import { makeWorkspace, treeOf } from './save-fixtures.js';

const NOTEBOOK = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    ["import csv", "rows = list(csv.DictReader(open('data/measurements.csv')))", "print(len(rows), sum(float(r['value']) for r in rows))"],
    ['import subprocess', "print(subprocess.run(['jq', '-c', '.a'], input='{\"a\": [1, 2]}', capture_output=True, text=True).stdout.strip())"],
    ["import os, hashlib", "os.makedirs('outputs', exist_ok=True)", "open('outputs/summary.txt', 'w').write(f'{len(rows)} rows\\n')", "print(hashlib.sha256(open('outputs/summary.txt', 'rb').read()).hexdigest())"],
  ].map((lines) => ({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: lines.join('\n') })),
};

function codeCells(dir: string): string[] {
  const nb = JSON.parse(readFileSync(join(dir, 'analysis.ipynb'), 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
  return nb.cells.filter((c) => c.cell_type === 'code').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
}

/** Run every code cell in a fresh kernel of the server at `url`; their printed text, in order. */
async function runCells(url: string, cells: string[]): Promise<string[]> {
  const u = new URL(url);
  const base = `${u.protocol}//${u.host}`;
  const token = u.searchParams.get('token')!;
  const kernel = await startKernel(base, token);
  const out: string[] = [];
  for (const code of cells) {
    const r = await runCode(base, token, kernel, code);
    assert.equal(r.status, 'ok', `cell failed: ${code}\n${r.stdout}`);
    out.push(r.stdout);
  }
  await fetch(`${base}/api/kernels/${kernel}?token=${token}`, { method: 'DELETE' });
  return out;
}

async function packages(engine: Engine, container: string): Promise<{ dpkg: string; pip: string }> {
  const dpkg = await engine.containers.exec(container, ['dpkg-query', '-W', '-f', '${Package} ${Version} ${db:Status-Abbrev}\n'], { user: 'root' });
  assert.equal(dpkg.exitCode, 0, dpkg.stderr);
  const pip = await engine.containers.exec(container, ['sh', '-c', 'command -v pip >/dev/null && pip list --format=freeze || echo no pip'], { user: 'root' });
  assert.equal(pip.exitCode, 0, pip.stderr);
  return { dpkg: dpkg.stdout, pip: pip.stdout };
}

/** `up --from` stays attached while it forwards the port: start it, take its JSON, keep the process. */
function attachedUp(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; result: { up: { url: string; containerId: string; tunnel?: object }; dir: string } }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => {
      stdout += d;
      try {
        resolve({ child, result: JSON.parse(stdout) });
      } catch {
        // not complete yet
      }
    });
    child.on('close', (code) => reject(new Error(`up --from exited (${code}) before printing its result: ${stderr}`)));
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  child.kill('SIGTERM');
  return closed;
}

async function emptyEngine(engine: Engine): Promise<void> {
  for (const c of await engine.containers.list({ all: true })) await engine.containers.remove(c.id, { force: true });
  for (const i of await engine.images.list()) await engine.images.remove(i.id, { force: true }).catch(() => {});
}

test('the work continues on another engine: same files, packages and notebook results by registry, ssh and file', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const rig: RemoteRig | undefined = await startRemote(t, 'rt');
  if (!rig) return;
  const registry = await startRegistry(t);
  if (!registry) return;
  const ws = makeWorkspace(t, engine, { repo: registry.host });
  const saved = `${ws.repo}:latest`;
  const sshEnv = { TRANSFERCTL_SSH_OPTS: rig.sshOpts };
  const onB = { ...sshEnv, DOCKER_HOST: `ssh://${rig.dest}` };

  // Engine A: a notebook that reads a data file and writes outputs; jq installed in the running container.
  mkdirSync(join(ws.dir, 'data'));
  writeFileSync(join(ws.dir, 'data/measurements.csv'), 'name,value\n' + Array.from({ length: 50 }, (_, i) => `m${i},${(i * 1.5).toFixed(1)}`).join('\n') + '\n');
  writeFileSync(join(ws.dir, 'analysis.ipynb'), JSON.stringify(NOTEBOOK, null, 1));
  const up = await runCli(['up', '--json'], { cwd: ws.dir });
  assert.equal(up.code, 0, up.stderr);
  const urlA = JSON.parse(up.stdout).url as string;
  const apt = await engine.containers.exec(ws.container, ['sh', '-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends jq'], { user: 'root' });
  assert.equal(apt.exitCode, 0, apt.stderr);
  const cells = codeCells(ws.dir);
  const outA = await runCells(urlA, cells);
  assert.match(outA[1], /^\[1,2\]\n$/, 'jq runs on A');
  const pkgA = await packages(engine, ws.container);
  assert.match(pkgA.dpkg, /^jq /m);
  const save = await runCli(['save', '--json'], { cwd: ws.dir });
  assert.equal(save.code, 0, save.stderr);
  const treeA = treeOf(ws.dir);
  assert.ok(treeA.some((e) => e.path === 'outputs/summary.txt'), 'the notebook wrote its output into the folder');
  const idA = (await engine.images.inspect(saved))!.id;

  /** On B: up --from through DOCKER_HOST=ssh://B, then compare with A; B is emptied afterwards. */
  const continueOnB = async (route: string) => {
    assert.equal((await rig.engine.images.inspect(saved))?.id, idA, `${route}: B holds the saved image, same ID`);
    const dir = join(tempDir(t, 'tc-rt-b-'), 'continued');
    const { child, result } = await attachedUp(['up', '--from', saved, dir, '--json'], onB);
    try {
      assert.ok(result.up.tunnel, `${route}: the port is forwarded over ssh`);
      assert.match(result.up.url, /^http:\/\/127\.0\.0\.1:\d+\//);
      assert.deepEqual(treeOf(dir), treeA, `${route}: the folder equals A's`);
      const pkgB = await packages(rig.engine, result.up.containerId);
      assert.equal(pkgB.dpkg, pkgA.dpkg, `${route}: dpkg -l equals A's`);
      assert.equal(pkgB.pip, pkgA.pip, `${route}: pip list equals A's`);
      assert.deepEqual(await runCells(result.up.url, codeCells(dir)), outA, `${route}: the notebook prints the same on B`);
    } finally {
      const code = await stop(child);
      await emptyEngine(rig.engine);
      assert.equal(code, 0, `${route}: up --from ends cleanly when told to stop forwarding`);
    }
  };

  await t.test('(1) push to a registry, pull on B', async () => {
    const push = await runCli(['push'], { cwd: ws.dir });
    assert.equal(push.code, 0, push.stderr);
    // B (its own network namespace) reaches the registry on its own loopback, forwarded by ssh -R.
    const port = registry.host.split(':')[1];
    const fwd = spawn('ssh', [...rig.sshOpts.split(' '), '-N', '-o', 'ExitOnForwardFailure=yes', '-R', `127.0.0.1:${port}:127.0.0.1:${port}`, rig.dest], { stdio: 'ignore' });
    t.after(() => void fwd.kill());
    let pull = { code: -1, stdout: '', stderr: '' };
    for (let i = 0; i < 20 && pull.code !== 0; i++) {
      pull = await runCli(['pull', saved], { env: onB, cwd: '/' });
      if (pull.code !== 0) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(pull.code, 0, pull.stderr);
    fwd.kill();
    await continueOnB('registry');
  });

  await t.test('(2) transfer over ssh', async () => {
    const r = await runCli(['transfer', saved, rig.dest, '--json'], { env: sshEnv });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).remoteImageId, idA);
    await continueOnB('transfer');
  });

  await t.test('(3) export to a file, import on B', async () => {
    const file = join(tempDir(t, 'tc-rt-file-'), 'workspace.tar.gz');
    const ex = await runCli(['export', saved, '-o', file]);
    assert.equal(ex.code, 0, ex.stderr);
    const im = await runCli(['import', file], { env: onB, cwd: '/' });
    assert.equal(im.code, 0, im.stderr);
    await continueOnB('file');
  });
});
