// Load the CommonJS CLI bundle with a V8 code cache, so a warm start compiles (almost) nothing.
// Node 22 has module.enableCompileCache(); Node 20 does not, and v8-compile-cache stores the
// data right after compiling — before V8 has compiled the functions a command actually calls
// (nearly all of them are compiled lazily) — so it saves little here. This cache is written
// when the process exits, after the command ran: it holds every function that run compiled.
// Cache files: $XDG_CACHE_HOME/transferctl/v8 (or ~/.cache/…, else the temp folder), one per
// command and bundle (size + mtime + Node version). TRANSFERCTL_NO_COMPILE_CACHE=1 turns it off.
// Any problem with the cache only costs speed: it falls back to compiling.
// The bundle is ASCII (scripts/bundle.mjs checks): read as Latin-1 it is a one-byte string at
// once, where UTF-8 decoding of its ~1.4 MB took ~3 ms (a bundle that is not ASCII still works).
'use strict';
const { isAscii } = require('node:buffer');
const { createHash } = require('node:crypto');
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { homedir, tmpdir } = require('node:os');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

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

/**
 * Caches of other bundles (an older build, another copy of the CLI) go, so the folder stays a
 * few MB per copy in use instead of growing with every build: the two other bundles used most
 * recently within a week stay (a global install beside a checkout), the rest are removed.
 * Removing one that is still in use only costs that copy one uncached start.
 */
function prune(dir, key, keepOthers = 2, maxAgeMs = 7 * 24 * 3600 * 1000, now = Date.now()) {
  try {
    const lastUse = new Map();
    for (const name of readdirSync(dir)) {
      const k = name.slice(0, 16);
      if (k === key) continue;
      let used = 0;
      try {
        const st = statSync(join(dir, name));
        used = Math.max(st.atimeMs, st.mtimeMs);
      } catch {
        // gone meanwhile
      }
      lastUse.set(k, Math.max(lastUse.get(k) ?? 0, used));
    }
    const keep = new Set(
      [...lastUse]
        .filter(([, used]) => now - used < maxAgeMs)
        .sort((a, b) => b[1] - a[1])
        .slice(0, keepOthers)
        .map(([k]) => k),
    );
    for (const name of readdirSync(dir)) {
      const k = name.slice(0, 16);
      if (k !== key && !keep.has(k)) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // nothing to prune
  }
}

/** Evaluate the bundle as a CommonJS module and return its exports. */
function loadBundle(file, command) {
  const bytes = readFileSync(file);
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
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
  const bundle = { exports: {} };
  script.runInThisContext().call(bundle.exports, bundle.exports, createRequire(file), bundle, file, dirname(file));
  return bundle.exports;
}

module.exports = { loadBundle, prune };
