// Base images with no registry (seed 003's from-scratch base): debootstrap a Debian root
// filesystem, import it, and build a Jupyter image on it from Debian's packages.
import { execFile, type ExecFileOptions } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Transform, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { UserError } from '../errors.js';
import type { Engine, OnProgress } from '../engine/index.js';
import { memoryTar } from '../context-tar.js';
import { baseLabels } from '../labels.js';
import { localDebian, localJupyter } from './base-image.js';

/** execFile as a promise, made when first called (the CLI bundle loads node:child_process on first use). */
function run(file: string, args: string[], opts: ExecFileOptions = {}): Promise<{ stdout: string | Buffer; stderr: string | Buffer }> {
  return promisify(execFile)(file, args, opts);
}

export const SUITES: Record<string, { packages: string; command: string }> = {
  trixie: { packages: 'jupyterlab python3-ipykernel', command: 'jupyter-lab' },
  bookworm: { packages: 'jupyter-notebook python3-ipykernel', command: 'jupyter-notebook' },
};

export interface BaseCreateOptions {
  suite: string;
  mirror?: string;
  cacheDir?: string;
  /** Reuse a cached root filesystem tarball (default true). */
  reuse?: boolean;
  jupyter?: boolean;
  onStep?: (m: string) => void;
  onProgress?: OnProgress;
  signal?: AbortSignal;
}

export interface BaseCreateResult {
  debian: string;
  jupyter?: string;
  rootfsCached: boolean;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TRANSFERCTL_CACHE) return env.TRANSFERCTL_CACHE;
  if (process.getuid?.() === 0) return '/var/cache/transferctl';
  return join(env.XDG_CACHE_HOME ?? join(env.HOME ?? tmpdir(), '.cache'), 'transferctl');
}

async function debootstrap(suite: string, mirror: string, tarball: string, step: (m: string) => void): Promise<void> {
  try {
    await run('sh', ['-c', 'command -v debootstrap']);
  } catch {
    throw new UserError('debootstrap is not installed', { hint: 'install it: sudo apt-get install -y debootstrap' });
  }
  if (process.getuid?.() !== 0) throw new UserError('making a Debian base needs root (debootstrap)', { hint: 'run: sudo transferctl base create' });
  const dir = mkdtempSync(join(tmpdir(), `transferctl-${suite}-`));
  try {
    step(`debootstrap --variant=minbase ${suite} (about 30 s)`);
    await run('debootstrap', ['--variant=minbase', suite, dir, mirror], { maxBuffer: 64 * 1024 * 1024 });
    const partial = `${tarball}.partial`;
    await run('tar', ['-C', dir, '-cf', partial, '.']);
    renameSync(partial, tarball);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function createBase(engine: Engine, opts: BaseCreateOptions): Promise<BaseCreateResult> {
  const step = opts.onStep ?? (() => {});
  const suite = opts.suite;
  const recipe = SUITES[suite];
  if (!recipe) throw new UserError(`unknown suite "${suite}"`, { hint: `choose one of: ${Object.keys(SUITES).join(', ')}` });
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  mkdirSync(cacheDir, { recursive: true });
  const tarball = join(cacheDir, `debian-${suite}.tar`);
  const cached = (opts.reuse ?? true) && existsSync(tarball) && statSync(tarball).size > 0;
  if (!cached) await debootstrap(suite, opts.mirror ?? 'http://deb.debian.org/debian', tarball, step);
  else step(`using the cached root filesystem ${tarball}`);

  const debian = localDebian(suite);
  if (cached && (await engine.images.inspect(debian))) {
    // Importing the same root filesystem again would give a new image ID and so rebuild
    // everything on top of it: keep the one the engine has.
    step(`${debian} is already on the engine`);
  } else {
    step(`importing ${debian}`);
    const labels = Object.entries(baseLabels('base')).map(([k, v]) => `LABEL ${k}="${v}"`);
    await engine.images.importRootfs(createReadStream(tarball) as unknown as Readable, debian, {
      changes: ['CMD ["/bin/bash"]', ...labels],
      onProgress: opts.onProgress,
    });
  }
  if (opts.jupyter === false) return { debian, rootfsCached: cached };

  const jupyter = localJupyter(suite);
  step(`building ${jupyter} from Debian packages (${recipe.packages}; a few minutes the first time)`);
  const dockerfile = await readFile(new URL('../../templates/base/debian-jupyter.Dockerfile', import.meta.url));
  await engine.images.build(
    memoryTar([{ name: 'Dockerfile', content: dockerfile }]),
    {
      tags: [jupyter],
      buildArgs: { BASE_IMAGE: debian, JUPYTER_PACKAGES: recipe.packages, JUPYTER_COMMAND: recipe.command },
      labels: baseLabels('base'),
      signal: opts.signal,
    },
    opts.onProgress,
  );
  return { debian, jupyter, rootfsCached: cached };
}

/** Count bytes as they pass, for progress. */
function counter(total: number, onBytes: (done: number, total: number) => void): Transform {
  let done = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      onBytes(done, total);
      cb(null, chunk);
    },
  });
}

export async function loadBase(
  engine: Engine,
  file: string,
  opts: { onBytes?: (done: number, total: number) => void; onProgress?: OnProgress } = {},
): Promise<string[]> {
  if (!existsSync(file)) throw new UserError(`image file not found: ${file}`);
  const total = statSync(file).size;
  let stream: Readable = createReadStream(file).pipe(counter(total, opts.onBytes ?? (() => {})));
  const head = Buffer.alloc(2);
  const fd = await open(file, 'r');
  await fd.read(head, 0, 2, 0);
  await fd.close();
  if (head[0] === 0x1f && head[1] === 0x8b) stream = stream.pipe(createGunzip());
  const loaded = await engine.images.load(stream, opts.onProgress);
  if (loaded.length === 0) throw new UserError(`${file} held no image the engine could load`, { hint: 'it should come from `docker save` or `transferctl export`' });
  return loaded;
}
