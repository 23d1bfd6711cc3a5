// Bad input: a clear message, a non-zero exit, no stack, nothing left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { runCli } from '../helpers/cli.js';
import { makeWorkspace } from '../helpers/workspace.js';
import { tempDir } from '../helpers/tmp.js';
import type { Engine } from '../../src/engine/index.js';

function noStack(stderr: string) {
  assert.doesNotMatch(stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace without --debug');
  assert.ok(stderr.trim().split('\n').length <= 3, `short message, got:\n${stderr}`);
}

async function nothingLeft(engine: Engine, name: string) {
  assert.equal(await engine.containers.inspect(name), null, `container ${name} was left behind`);
}

test('missing config file', async (t) => {
  const dir = tempDir(t);
  const r = await runCli(['up', '--config', 'nope.json'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /config file not found: .*nope\.json/);
  noStack(r.stderr);
});

test('syntax error, unknown key, wrong type: file:line:col, exit 2, nothing created', async (t) => {
  const engine = await requireEngine(t);
  const ws = makeWorkspace(t, engine);
  const cases: [string, RegExp][] = [
    ['{\n  "image": { "name": "x" }\n  "volume": {}\n}', /transfer\.json:3:3: syntax error: expected a ',' between entries/],
    ['{\n  "contianer": { "name": "x" }\n}', /transfer\.json:2:3: unknown key "contianer" — did you mean "container"\?/],
    ['{ "publish": { "port": "8888" } }', /transfer\.json:1:24: publish\.port: expected number, got string/],
  ];
  for (const [text, re] of cases) {
    writeFileSync(ws.config, text);
    const r = await runCli(['up'], { cwd: ws.dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, re);
    noStack(r.stderr);
  }
});

test('missing host folder', async (t) => {
  const engine = await requireEngine(t);
  const ws = makeWorkspace(t, engine, { volume: { 'host-directory': 'does-not-exist' } });
  const r = await runCli(['up'], { cwd: ws.dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /transfer\.json:\d+:\d+: volume\.host-directory: folder .*does-not-exist does not exist/);
  noStack(r.stderr);
  await nothingLeft(engine, ws.container);
});

test('engine down: one line that says where it looked and how to start one', async (t) => {
  const dir = tempDir(t);
  const r = await runCli(['status'], { cwd: dir, env: { DOCKER_HOST: `unix://${dir}/no-engine.sock` } });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /no Docker Engine answers at unix:\/\/.*no-engine\.sock \(no such socket; found via DOCKER_HOST\)/);
  assert.match(r.stderr, /start the engine there, or unset DOCKER_HOST/);
  noStack(r.stderr);
});

test('a fixed port that is taken', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const ws = makeWorkspace(t, engine, { publish: { port } });
  const r = await runCli(['up'], { cwd: ws.dir });
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already taken`));
  noStack(r.stderr);
  await nothingLeft(engine, ws.container);
});

test('an unset port moves to the next free one', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  const r = await runCli(['up', '--json'], { cwd: ws.dir });
  assert.equal(r.code, 0, r.stderr);
  const first = JSON.parse(r.stdout).port;
  const ws2 = makeWorkspace(t, engine);
  const r2 = await runCli(['up', '--json'], { cwd: ws2.dir });
  assert.equal(r2.code, 0, r2.stderr);
  assert.notEqual(JSON.parse(r2.stdout).port, first);
});

test('a container name held by a container transferctl did not create', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine);
  const foreign = await engine.containers.create({ name: ws.container, image: NOTEBOOK6_IMAGE, cmd: ['sleep', '300'] });
  const r = await runCli(['up'], { cwd: ws.dir });
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`the container name "${ws.container}" is already taken by a container of something other than transferctl`));
  assert.match(r.stderr, /--force/);
  noStack(r.stderr);
  // Not touched: same container, still there.
  assert.equal((await engine.containers.inspect(ws.container))?.id, foreign);
  // rm refuses too.
  const rm = await runCli(['rm'], { cwd: ws.dir });
  assert.equal(rm.code, 1);
  assert.equal((await engine.containers.inspect(ws.container))?.id, foreign);
});

test('Jupyter that exits at start: its last log lines, and no container left', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine, { jupyter: { command: ['sh', '-c', 'echo "ModuleNotFoundError: no module named nbformat" >&2; exit 3'] } });
  const r = await runCli(['up', '--timeout', '60'], { cwd: ws.dir });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the notebook server exited at start \(exit code 3\); its last lines:/);
  assert.match(r.stderr, /ModuleNotFoundError: no module named nbformat/);
  await nothingLeft(engine, ws.container);
});

test('Ctrl-C while waiting for Jupyter leaves no container', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const ws = makeWorkspace(t, engine, { jupyter: { command: ['sleep', '600'] } });
  const { spawn } = await import('node:child_process');
  const { BIN } = await import('../helpers/cli.js');
  const child = spawn(process.execPath, [BIN, 'up'], { cwd: ws.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // Wait until the container exists (the half-done moment), then press Ctrl-C.
  for (let i = 0; i < 300 && !(await engine.containers.inspect(ws.container))?.running; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok((await engine.containers.inspect(ws.container))?.running, 'the container started');
  child.kill('SIGINT');
  const code = await new Promise((r) => child.on('close', r));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted/);
  await nothingLeft(engine, ws.container);
});

test('unknown command: did you mean', async (t) => {
  const r = await runCli(['statsu'], { cwd: tempDir(t) });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "statsu" — did you mean "status"\?/);
});

test('init writes transfer.json and .dockerignore, says what each file will do, a Dockerfile only with --dockerfile, never overwrites without --force', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'requirements.txt'), 'pandas\n');
  writeFileSync(join(dir, 'environment.yml'), 'dependencies: [numpy]\n');
  const r = await runCli(['init'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Wrote transfer\.json, \.dockerignore in /m);
  assert.match(r.stdout, /environment\.yml\s+conda\/mamba updates the base environment from it/);
  assert.match(r.stdout, /requirements\.txt\s+ignored: environment\.yml is present \(repo2docker's rule\)/);
  assert.equal(existsSync(join(dir, 'Dockerfile')), false);
  const again = await runCli(['init'], { cwd: dir });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /transfer\.json, \.dockerignore already exist .*nothing was written/);
  const json = await runCli(['init', '--force', '--dockerfile', '--json'], { cwd: dir });
  assert.equal(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout);
  assert.deepEqual(out.written, ['transfer.json', '.dockerignore', 'Dockerfile']);
  assert.deepEqual(out.found.map((f: { path: string; used: boolean }) => [f.path, f.used]), [['environment.yml', true], ['requirements.txt', false]]);
  assert.match(readFileSync(join(dir, 'Dockerfile'), 'utf8'), /^COPY environment\.yml \/tmp\/transferctl\/environment\.yml$/m);
});
