#!/usr/bin/env node
// Entry shim (CommonJS, see ./package.json). `--version` is answered here so it loads nothing
// else. Everything else runs a CLI bundle built by `npm run build` (scripts/bundle.mjs) through
// ./compile-cache.js: the command's own bundle when dist/bundle/manifest.json names one for it
// (status, up, … load less), else dist/bundle/transferctl.cjs, which holds every command. With
// --debug the whole bundle loads through require() with source maps on, so stack traces name
// the TypeScript files and lines.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version + '\n');
} else {
  const dir = join(__dirname, '..', 'dist', 'bundle');
  const file = join(dir, 'transferctl.cjs');
  const debug = argv.includes('--debug');
  let cli;
  try {
    if (debug) {
      process.setSourceMapsEnabled(true);
      cli = require(file);
    } else {
      let manifest;
      try {
        manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      } catch {
        // an older build without one: the whole bundle
      }
      const first = argv[0] ?? '--help'; // no arguments: the help
      const own = manifest && Object.hasOwn(manifest.commands ?? {}, first) ? manifest.commands[first] : undefined;
      // One code cache per command: each caches the functions its own runs compile.
      const command = argv.find((a) => !a.startsWith('-') && !a.includes('.') && !a.includes('/')) ?? 'default';
      cli = require('./compile-cache.js').loadBundle(own ? join(dir, own) : file, command, manifest?.build);
    }
  } catch (err) {
    const missing = err && ((err.code === 'ENOENT' && typeof err.path === 'string' && err.path.startsWith(dir)) || (err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(file)));
    if (missing) {
      process.stderr.write('transferctl: not built yet; run `npm run build` in ' + join(__dirname, '..') + '\n');
      process.exit(1);
    }
    throw err;
  }
  cli.main(argv);
}
