// Load the CommonJS CLI bundle with a V8 code cache, so a warm start compiles (almost) nothing.
// Node 22 has module.enableCompileCache(); Node 20 does not, and v8-compile-cache stores the
// data right after compiling — before V8 has compiled the functions a command actually calls
// (nearly all of them are compiled lazily) — so it saves little here. This cache is written
// when the process exits, after the command ran: it holds every function that run compiled.
// Cache files: $XDG_CACHE_HOME/transferctl/v8 (or ~/.cache/…, else the temp folder), one per
// command and bundle (size + mtime + Node version). TRANSFERCTL_NO_COMPILE_CACHE=1 turns it off.
// Any problem with the cache only costs speed: it falls back to compiling.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : tmpdir());
  return join(base, 'transferctl', 'v8');
}

function readOrNull(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeAtomic(file, data) {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch {
    // a read-only home or a full disk: no cache, same result
  }
}

/** Caches of other bundles (older builds, other copies) unused for a week go. */
function prune(dir, key) {
  try {
    const weekAgo = Date.now() - 7 * 24 * 3600 * 1000;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (!name.startsWith(key) && Math.max(statSync(path).atimeMs, statSync(path).mtimeMs) < weekAgo) rmSync(path, { force: true });
    }
  } catch {
    // nothing to prune
  }
}

/** Evaluate the bundle as a CommonJS module and return its exports. */
export function loadBundle(file, command) {
  const source = readFileSync(file, 'utf8');
  const st = statSync(file);
  const off = process.env.TRANSFERCTL_NO_COMPILE_CACHE === '1';
  const key = createHash('sha256').update(`${file}\0${st.size}\0${st.mtimeMs}\0${process.version}\0${process.arch}`).digest('hex').slice(0, 16);
  const name = String(command).replace(/[^a-z0-9-]/gi, '_').slice(0, 40);
  const cacheFile = join(cacheDir(), `${key}-${name}.bin`);
  const cachedData = off ? undefined : readOrNull(cacheFile);

  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (!off && (!cachedData || script.cachedDataRejected)) {
    // After the command has run, so the data covers the functions it compiled.
    process.once('exit', () => {
      writeAtomic(cacheFile, script.createCachedData());
      prune(cacheDir(), key);
    });
  }
  const module = { exports: {} };
  const require = createRequire(file);
  script.runInThisContext().call(module.exports, module.exports, require, module, file, dirname(file));
  return module.exports;
}
