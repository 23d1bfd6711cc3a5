// Bundle the CLI into CommonJS files under dist/bundle/ (part of `npm run build`):
// - transferctl.cjs: every command (with a source map for --debug);
// - <module>.cjs for the commands people run most often (HOT below): the same entry, with the
//   registry's other command modules left out. status loads 0.4 MB instead of 1 MB.
// - manifest.json: which command names each of those serves, and the build's stamp (the code
//   cache's key). bin/transferctl.js reads it to pick the file for the command it was given.
// A process loads exactly one of these files, so a module's state (and its error classes) is
// never split between two copies.
// Why bundles: on Node 20, resolving and compiling ~400 ESM files (zod, dockerode and our own)
// took ~250 ms before `up` could talk to the engine. One CommonJS file can use V8's code cache
// (bin/transferctl.js loads it through bin/compile-cache.js), so a warm start compiles nothing.
// dist/bundle/ sits two folders below the package root, like src/<dir>/, so the code's
// `new URL('../../templates/…', import.meta.url)` still finds templates/ and package.json.
import { build } from 'esbuild';
import { isAscii } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// Loaded at run time from node_modules instead of bundled:
// - what dockerode requires only for ssh:// engines and BuildKit sessions (src/engine/lazy-deps.ts
//   defers these until first use; see also LAZY_FROM_DOCKERODE below);
// - the service's HTTP stack (serve starts once and runs for hours: its startup is not hot);
// - cpu-features, an optional native addon of ssh2.
const external = [
  'ssh2',
  'cpu-features',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  'protobufjs',
  'fastify',
  'http-proxy-3',
  'ws',
  'undici',
  '@fastify/rate-limit',
];

/**
 * Modules dockerode and docker-modem require at load but use only for a few calls: kept out of
 * the bundle as requires that src/engine/lazy-deps.ts answers with a stand-in, which loads the
 * real module (dockerode's own copy) on first use. docker-modem's ssh agent (ssh:// engines),
 * its duplex for hijacked connections (it brings readable-stream), and dockerode's tar-fs and
 * .dockerignore parser (buildImage from a folder, which we never ask for: we send a tar
 * stream). status then loads ~100 KB less.
 */
const LAZY_FROM_DOCKERODE = [
  { importer: '/docker-modem/lib/modem.js', request: './ssh', as: 'docker-modem/lib/ssh.js' },
  { importer: '/docker-modem/lib/modem.js', request: './http_duplex', as: 'docker-modem/lib/http_duplex.js' },
  { importer: '/dockerode/lib/util.js', request: 'tar-fs', as: 'tar-fs' },
  { importer: '/dockerode/lib/util.js', request: '@balena/dockerignore', as: '@balena/dockerignore' },
];
const lazyFromDockerode = {
  name: 'lazy-from-dockerode',
  setup(b) {
    b.onResolve({ filter: /^(\.\/ssh|\.\/http_duplex|tar-fs|@balena\/dockerignore)$/ }, (args) => {
      const lazy = LAZY_FROM_DOCKERODE.find((l) => l.request === args.path && args.importer.replaceAll('\\', '/').endsWith(`/node_modules${l.importer}`));
      return lazy ? { path: lazy.as, external: true } : undefined;
    });
  },
};

/**
 * docker-modem formats every request's options with util.inspect({showHidden, depth: null})
 * for its debug log before asking whether that log is on. The options hold the request's
 * agent and sockets, so this took ~45 ms of CPU in one `transferctl up` (of ~180 ms busy).
 * Format them only when DEBUG turns that log on. The build fails if the line changes upstream.
 */
const SENDING = "debug('Sending: %s', util.inspect(options, {";
const lazyModemDebug = {
  name: 'lazy-modem-debug',
  setup(b) {
    b.onLoad({ filter: /[\\/]docker-modem[\\/]lib[\\/]modem\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(SENDING)) throw new Error(`${args.path}: the debug line this build rewrites is gone; update lazyModemDebug in scripts/bundle.mjs`);
      return { contents: text.replace(SENDING, `debug.enabled && ${SENDING}`), loader: 'js' };
    });
  },
};

/**
 * debug asks whether stderr is a terminal with `tty.isatty(process.stderr.fd)` when docker-modem
 * creates its logger, which makes Node create the process.stderr stream (~3 ms on a pipe) in
 * commands that never write to it. fd 2 is that stream's fd. The build fails if the line changes.
 */
const STDERR_FD = 'tty.isatty(process.stderr.fd)';
const debugStderrFd = {
  name: 'debug-stderr-fd',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]debug[\\/]src[\\/]node\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(STDERR_FD)) throw new Error(`${args.path}: the line this build rewrites is gone; update debugStderrFd in scripts/bundle.mjs`);
      return { contents: text.replace(STDERR_FD, 'tty.isatty(2)'), loader: 'js' };
    });
  },
};

/**
 * jsonc-parser's files have no side effects, but its package does not say so, and its formatter
 * (which we do not use) fills tables of 1,200 indentation strings when it loads. Marked here,
 * the formatter and its tables are left out.
 */
const jsoncPure = {
  name: 'jsonc-parser-pure',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (!args.importer.replaceAll('\\', '/').includes('/node_modules/jsonc-parser/') || args.pluginData?.jsoncPure) return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { jsoncPure: true } });
      return r.errors.length ? undefined : { path: r.path, sideEffects: false };
    });
  },
};

/** debug (bundled) tries `require('supports-color')`, an optional package we do not install: a
 * module that fails the way a missing one does, instead of a search of node_modules at every start. */
const noSupportsColor = {
  name: 'no-supports-color',
  setup(b) {
    b.onResolve({ filter: /^supports-color$/ }, (args) =>
      args.importer.includes('/node_modules/debug/') ? { path: 'supports-color', namespace: 'absent' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'absent' }, () => ({
      contents: "throw Object.assign(new Error(\"Cannot find module 'supports-color'\"), { code: 'MODULE_NOT_FOUND' });",
      loader: 'js',
    }));
  },
};

/** A bundle with one command module (none: the help bundle): the registry's imports of the others become stubs. */
function onlyCommand(keep) {
  return {
    name: 'only-command',
    setup(b) {
      b.onResolve({ filter: /^\.\/commands\/[a-z0-9_-]+\.js$/ }, (args) => {
        if (!args.importer.endsWith('/src/cli/registry.ts')) return undefined;
        const mod = args.path.slice('./commands/'.length, -'.js'.length);
        return mod === keep ? undefined : { path: mod, namespace: 'elsewhere' };
      });
      b.onLoad({ filter: /.*/, namespace: 'elsewhere' }, (args) => ({
        contents: `export function define() { throw new Error('this bundle holds ${keep ? `only the ${keep} command` : 'no command'}, not ${args.path}: dist/bundle/manifest.json sent it here (rebuild with npm run build)'); }`,
        loader: 'js',
      }));
    },
  };
}

/** Which registry names load which command module (the registry, built with every command a stub). */
async function commandModules() {
  const out = await build({
    absWorkingDir: root,
    entryPoints: ['src/cli/registry.ts'],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    logLevel: 'warning',
    plugins: [{
      name: 'names-only',
      setup(b) {
        b.onResolve({ filter: /^\.\/commands\// }, (args) => ({ path: args.path.slice('./commands/'.length, -'.js'.length), namespace: 'names' }));
        b.onLoad({ filter: /.*/, namespace: 'names' }, (args) => ({ contents: `export const module = ${JSON.stringify(args.path)};`, loader: 'js' }));
      },
    }],
  });
  const { commands } = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
  const byName = {};
  for (const c of commands) {
    const { module } = await c.load();
    for (const name of [c.name, ...(c.aliases ?? [])]) byName[name] = module;
  }
  return byName;
}

// The command modules that get a bundle of their own: the ones run often, or where the wait is
// felt. Not completion: `__complete` loads the command it completes to read its options, so
// it needs every command module (in a bundle of its own they were stubs: `up --rec` got nothing).
const HOT = ['status', 'up', 'stop', 'rm', 'logs', 'exec', 'shell'];

// A new stamp per build: the code caches of an older build are then told apart (and pruned), and
// so are the config texts an older build found valid (src/config/valid-cache.ts).
const stamp = `${new Date().toISOString()}-${randomBytes(4).toString('hex')}`;

const common = {
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // jsonc-parser's "main" is a UMD build that requires its parts at run time.
  mainFields: ['module', 'main'],
  external,
  // import.meta does not exist in CommonJS: give the code the bundle's own file URL.
  define: { 'import.meta.url': '__transferctlBundleUrl', __TRANSFERCTL_BUILD__: JSON.stringify(stamp) },
  banner: { js: "const __transferctlBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // No whitespace or comments: ~25% less to read at every start, and the output is then all
  // ASCII (esbuild escapes non-ASCII in strings; comments were the rest), which
  // bin/compile-cache.js reads as Latin-1 (checked below).
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'external',
  logLevel: 'warning',
};
const plugins = [lazyFromDockerode, lazyModemDebug, debugStderrFd, jsoncPure, noSupportsColor];
const dir = new URL('../dist/bundle/', import.meta.url);

const routes = await commandModules();
for (const mod of HOT) {
  if (!Object.values(routes).includes(mod)) throw new Error(`scripts/bundle.mjs: HOT names ${mod}, which no command in src/cli/registry.ts loads`);
}
// Files of an earlier build (a module since dropped from HOT) must not linger.
mkdirSync(dir, { recursive: true });
for (const f of readdirSync(dir)) rmSync(new URL(f, dir), { force: true });

await build({
  ...common,
  outfile: 'dist/bundle/transferctl.cjs',
  plugins,
  // Stack traces: `--debug` loads this bundle with its source map (file and line of the
  // TypeScript; the sources stay out of it).
  sourcemap: 'linked',
  sourcesContent: false,
});
for (const mod of HOT) await build({ ...common, outfile: `dist/bundle/${mod}.cjs`, plugins: [onlyCommand(mod), ...plugins] });
// `transferctl`, `transferctl --help`: the registry's names and summaries, no command module.
await build({ ...common, outfile: 'dist/bundle/help.cjs', plugins: [onlyCommand(null), ...plugins] });

for (const f of readdirSync(dir).filter((f) => f.endsWith('.cjs'))) {
  if (!isAscii(readFileSync(new URL(f, dir)))) throw new Error(`dist/bundle/${f} is not ASCII: bin/compile-cache.js would read it the slow way (set charset?)`);
}
const manifest = {
  build: stamp,
  // bin/transferctl.js looks up the first argument (none: --help)
  commands: {
    ...Object.fromEntries(Object.entries(routes).filter(([, mod]) => HOT.includes(mod)).map(([name, mod]) => [name, `${mod}.cjs`])),
    '--help': 'help.cjs',
    '-h': 'help.cjs',
  },
};
writeFileSync(new URL('manifest.json', dir), JSON.stringify(manifest, null, 2) + '\n');
