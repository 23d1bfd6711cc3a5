// Load the CommonJS CLI bundle with a V8 code cache, so a warm start compiles (almost) nothing.
// Node 22 has module.enableCompileCache(); Node 20 does not, and v8-compile-cache stores the
// data right after compiling — before V8 has compiled the functions a command actually calls
// (nearly all of them are compiled lazily) — so it saves little here. This cache is written
// when the process exits, after the command ran: it holds every function that run compiled.
// Cache files: $XDG_CACHE_HOME/transferctl/v8 (or ~/.cache/…, else the temp folder), one per
// command and bundle file, named by a key of the build (the stamp scripts/bundle.mjs writes
// into dist/bundle/manifest.json; else the file's size and mtime), the folder and the Node
// version. TRANSFERCTL_NO_COMPILE_CACHE=1 turns it off.
// Any problem with the cache only costs speed: it falls back to compiling.
// The bundle is ASCII (scripts/bundle.mjs checks): read as Latin-1 it is a one-byte string at
// once, where UTF-8 decoding of its ~1.4 MB took ~3 ms (a bundle that is not ASCII still works).
'use strict';
const { isAscii } = require('node:buffer');
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { homedir, tmpdir } = require('node:os');
const { basename, dirname, join } = require('node:path');
const vm = require('node:vm');

/**
 * 16 hex digits from a string: two 32-bit FNV-1a lanes. Only names cache files (V8 itself
 * rejects data made for another source), so no node:crypto, whose loading took ~5 ms.
 */
function cacheKey(text) {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * Node modules that bundled libraries require when they load but use only on some paths
 * (commander: child_process, for external subcommands; docker-modem: https, for TLS engines;
 * dockerode: zlib, for build contexts): the bundle gets a stand-in that loads the real module
 * on first use. Loading them took ~8 ms of every start. A module read through a namespace
 * import is loaded at once, as before: nothing breaks, it only saves nothing.
 */
const DEFERRED_BUILTINS = new Set(['child_process', 'https', 'zlib', 'crypto', 'readline']);

function deferred(load) {
  let real;
  const get = () => (real ??= load());
  return new Proxy({}, {
    get: (_t, key) => Reflect.get(get(), key),
    has: (_t, key) => Reflect.has(get(), key),
    ownKeys: () => Reflect.ownKeys(get()),
    // configurable: a proxy may not call a property its target lacks non-configurable
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), key);
      return d && { ...d, configurable: true };
    },
  });
}

/** The bundle's `require`: Node's for its file, with DEFERRED_BUILTINS loaded on first use. */
function bundleRequire(file) {
  const req = createRequire(file);
  const stand = new Map();
  const wrapped = (id) => {
    const name = id.startsWith('node:') ? id.slice(5) : id;
    if (!DEFERRED_BUILTINS.has(name)) return req(id);
    if (!stand.has(name)) stand.set(name, deferred(() => req(name)));
    return stand.get(name);
  };
  return Object.assign(wrapped, { resolve: req.resolve, cache: req.cache, main: req.main, extensions: req.extensions });
}

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
 * Caches of other builds (an older build, another copy of the CLI) go, so the folder stays a
 * few MB per copy in use instead of growing with every build: the two other builds used most
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

/**
 * Evaluate the bundle as a CommonJS module and return its exports. `build` names the build the
 * file belongs to (manifest.json's stamp); without it the file's size and mtime do.
 */
function loadBundle(file, command, build) {
  const bytes = readFileSync(file);
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const off = process.env.TRANSFERCTL_NO_COMPILE_CACHE === '1';
  let stamp = build;
  if (!stamp) {
    const st = statSync(file);
    stamp = `${st.size}\0${st.mtimeMs}`;
  }
  const key = cacheKey(`${dirname(file)}\0${stamp}\0${process.version}\0${process.arch}`);
  const name = `${basename(file, '.cjs')}-${command}`.replace(/[^a-z0-9-]/gi, '_').slice(0, 60);
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
  script.runInThisContext().call(bundle.exports, bundle.exports, bundleRequire(file), bundle, file, dirname(file));
  return bundle.exports;
}

module.exports = { loadBundle, prune, cacheKey, bundleRequire };
