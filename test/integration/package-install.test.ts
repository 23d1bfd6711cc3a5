// The package as a user installs it: `npm pack` (prepack builds dist/), `npm i -g` into a
// temporary prefix, then the installed `transferctl` runs `status` and `up` from another folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireEngine, requireImage, NOTEBOOK6_IMAGE } from '../helpers/engine.js';
import { makeWorkspace } from '../helpers/workspace.js';
import { tempDir } from '../helpers/tmp.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('npm pack makes a tarball that works after npm i -g: status and up from another folder', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, NOTEBOOK6_IMAGE))) return;
  const work = tempDir(t, 'tc-pack-');
  const packs = join(work, 'packs');
  mkdirSync(packs);
  const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  // A clean copy of the tracked files (no dist/, as in a fresh clone), with this checkout's
  // node_modules for the build tools.
  const clean = join(work, 'clone');
  const tracked = (await run('git', ['ls-files', '-z'], { cwd: ROOT, maxBuffer: 64 << 20 })).stdout.split('\0').filter(Boolean);
  for (const f of tracked) if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(clean, f), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(clean, 'node_modules'));
  assert.ok(!existsSync(join(clean, 'dist')));
  const packed = await run('npm', ['pack', '--pack-destination', packs, '--json'], { cwd: clean, env, maxBuffer: 64 << 20 });
  const files: { path: string }[] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')))[0].files;
  const paths = files.map((f) => f.path);
  assert.ok(paths.includes('dist/bundle/transferctl.cjs'), 'the bundle is in the package (prepack builds it)');
  assert.ok(paths.includes('bin/transferctl.js'));
  assert.ok(paths.some((p) => p.startsWith('templates/')), 'templates are in the package');
  assert.ok(!paths.some((p) => p.startsWith('test/') || p.startsWith('src/')), 'tests and sources stay out');
  const tarball = join(packs, readdirSync(packs).find((f) => f.endsWith('.tgz'))!);

  const prefix = join(work, 'prefix');
  await run('npm', ['install', '--global', '--prefix', prefix, tarball], { env, maxBuffer: 64 << 20, timeout: 600_000 });
  const bin = join(prefix, 'bin', 'transferctl');
  assert.ok(existsSync(bin), `npm i -g put transferctl in ${bin}`);

  const elsewhere = tempDir(t, 'tc-pack-cwd-');
  const userEnv = { ...process.env, NO_COLOR: '1', HOME: work };
  const status = await run(bin, ['status'], { cwd: elsewhere, env: userEnv });
  assert.match(status.stdout + status.stderr, /workspace|no transferctl/i);

  const ws = makeWorkspace(t, engine);
  const up = await run(bin, ['up', '--json'], { cwd: ws.dir, env: userEnv, timeout: 600_000 });
  const result = JSON.parse(up.stdout);
  assert.match(result.url, /^http:\/\/127\.0\.0\.1:\d+\/tree\?token=/);
  const answer = await fetch(`http://127.0.0.1:${result.port}/api/status?token=${result.token}`);
  assert.equal(answer.status, 200, 'the installed CLI started a notebook server that answers');
});
