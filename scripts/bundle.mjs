// Bundle the CLI into one CommonJS file, dist/bundle/transferctl.cjs (part of `npm run build`).
// Why: on Node 20, resolving and compiling ~400 ESM files (zod, dockerode and our own) took
// ~250 ms before `up` could talk to the engine. One CommonJS file can use V8's code cache
// (bin/transferctl.js loads it through bin/compile-cache.js), so a warm start compiles nothing.
// dist/bundle/ sits two folders below the package root, like src/<dir>/, so the code's
// `new URL('../../templates/…', import.meta.url)` still finds templates/ and package.json.
import { build } from 'esbuild';
import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// Loaded at run time from node_modules instead of bundled:
// - what dockerode requires only for ssh:// engines and BuildKit sessions (src/engine/lazy-deps.ts
//   defers these until first use; docker-modem's ssh agent is kept as its own module for that);
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

/** docker-modem's `require('./ssh')` stays a require of 'docker-modem/lib/ssh.js' (see above). */
const keepDockerModemSsh = {
  name: 'keep-docker-modem-ssh',
  setup(b) {
    b.onResolve({ filter: /^\.\/ssh$/ }, (args) =>
      args.importer.includes('/node_modules/docker-modem/') ? { path: 'docker-modem/lib/ssh.js', external: true } : undefined,
    );
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

await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/bundle/transferctl.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // jsonc-parser's "main" is a UMD build that requires its parts at run time.
  mainFields: ['module', 'main'],
  external,
  plugins: [keepDockerModemSsh, lazyModemDebug],
  // import.meta does not exist in CommonJS: give the code the bundle's own file URL.
  define: { 'import.meta.url': '__transferctlBundleUrl' },
  banner: { js: "const __transferctlBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // No whitespace or comments: ~25% less to read and hash at every start, and the output is
  // then all ASCII (esbuild escapes non-ASCII in strings; comments were the rest), which
  // bin/compile-cache.js reads as Latin-1 (checked below). Stack traces: `--debug` loads the
  // bundle with this source map (file and line of the TypeScript; the sources stay out of it).
  minifySyntax: true,
  minifyWhitespace: true,
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'external',
  logLevel: 'warning',
});

const out = readFileSync(new URL('../dist/bundle/transferctl.cjs', import.meta.url));
if (!isAscii(out)) throw new Error('dist/bundle/transferctl.cjs is not ASCII: bin/compile-cache.js would read it the slow way (set charset?)');
