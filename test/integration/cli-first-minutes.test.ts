// The first ten minutes on a real engine: doctor, shell completion, and quiet build output
// (a line per step, the full log in a file, its tail when the build fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireEngine, requireImage, DEBIAN_IMAGE } from '../helpers/engine.js';
import { BIN, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const run = promisify(execFile);

test('doctor: exit 0 and the engine line on a real engine; exit 1 with what to do when none answers', async (t) => {
  await requireEngine(t);
  const ok = await runCli(['doctor', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  const report = JSON.parse(ok.stdout);
  const engine = report.findings.find((f: { check: string }) => f.check === 'engine');
  assert.equal(engine.level, 'ok');
  assert.match(engine.detail, /^Docker \S+ \(API 1\.\d+\) at unix:\/\//);
  assert.ok(report.findings.some((f: { check: string }) => f.check === 'disk'));

  const none = await runCli(['doctor'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
  assert.equal(none.code, 1);
  assert.match(none.stdout, /✖ engine .*nonexistent/);
  assert.match(none.stdout, /→ start Docker/);
  assert.match(none.stdout, /ssh /, 'the other checks are still reported');
  assert.ok(!/\n\s+at /.test(none.stderr), 'no stack trace');
});

test('bash completion offers commands, options and the engine\'s images, and gives up on a silent engine fast', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, DEBIAN_IMAGE))) return;
  const dir = tempDir(t, 'tc-complete-');
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'transferctl'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
  const script = `eval "$(transferctl completion bash)"
show() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _transferctl_complete; echo "\${COMPREPLY[*]}"; }
show transferctl sta
show transferctl up --rec
show transferctl restore transferctl/deb`;
  const { stdout } = await run('bash', ['-c', script], { env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` } });
  const [commands, options, images] = stdout.split('\n');
  assert.deepEqual(commands.split(' ').sort(), ['start', 'status']);
  assert.equal(options, '--recreate');
  assert.ok(images.split(' ').includes(DEBIAN_IMAGE), images);

  // an engine that accepts the connection and never answers: at most ~300 ms of waiting
  const silent = join(dir, 'silent.sock');
  const net = await import('node:net');
  const server = net.createServer(() => {}).listen(silent);
  t.after(() => server.close());
  const t0 = performance.now();
  const r = await runCli(['__complete', 'restore'], { env: { DOCKER_HOST: `unix://${silent}` } });
  const ms = performance.now() - t0;
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.ok(ms < 5000, `returned (in ${ms.toFixed(0)} ms) instead of waiting for the engine`);
});

test('a build prints a line per step and names its log; a failed build shows the log\'s last lines and its path', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, DEBIAN_IMAGE))) return;
  const dir = tempDir(t, 'tc-quiet-');
  const logs = tempDir(t, 'tc-quiet-logs-');
  const image = `tc-test-quiet-${process.pid}`;
  t.after(() => engine.images.remove(image, { force: true }).catch(() => {}));
  writeFileSync(join(dir, 'transfer.json'), JSON.stringify({ image: { name: image }, container: { name: image } }));
  const noisy = Array.from({ length: 200 }, (_, i) => `echo noisy-line-${i}`).join('; ');
  writeFileSync(join(dir, 'Dockerfile'), `FROM ${DEBIAN_IMAGE}\nRUN ${noisy}\nRUN echo the-last-words; exit 7\n`);
  const env = { TRANSFERCTL_LOG_DIR: logs };
  const r = await runCli(['build', '--no-cache'], { cwd: dir, env });
  assert.notEqual(r.code, 0);
  const lines = (r.stdout + r.stderr).split('\n').filter(Boolean);
  const logLine = lines.find((l) => l.startsWith('full log: '));
  assert.ok(logLine, r.stderr);
  const logFile = logLine.slice('full log: '.length);
  assert.ok(logFile.startsWith(logs) && existsSync(logFile));
  assert.ok(lines.includes('[1/3] FROM ' + DEBIAN_IMAGE), r.stderr);
  assert.ok(lines.some((l) => l.startsWith('[2/3] RUN echo noisy-line-0')), r.stderr);
  assert.ok(lines.includes('  the-last-words'), 'the failing step\'s output is in the tail shown');
  assert.ok(lines.some((l) => l.startsWith(`last `) && l.endsWith(`${logFile}:`)));
  assert.match(lines[lines.length - 1], /exit|returned a non-zero code: 7/);
  assert.ok(lines.length < 40, `${lines.length} lines:\n${lines.join('\n')}`);
  assert.match(readFileSync(logFile, 'utf8'), /noisy-line-199/, 'everything is in the log');

  const plain = await runCli(['build', '--no-cache', '--progress', 'plain'], { cwd: dir, env });
  assert.match(plain.stderr, /noisy-line-199/, '--progress plain streams everything');
});
