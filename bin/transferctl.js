#!/usr/bin/env node
// Entry shim (CommonJS, see ./package.json). `--version` is answered here so it loads nothing
// else; everything else runs the CLI bundle (dist/bundle/transferctl.cjs, built by
// `npm run build`) through ./compile-cache.js. With --debug the bundle loads through require()
// with source maps on, so stack traces name the TypeScript files and lines.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version + '\n');
} else {
  const file = join(__dirname, '..', 'dist', 'bundle', 'transferctl.cjs');
  let cli;
  try {
    if (argv.includes('--debug')) {
      process.setSourceMapsEnabled(true);
      cli = require(file);
    } else {
      // One code cache per command: each caches the functions its own runs compile.
      cli = require('./compile-cache.js').loadBundle(file, argv.find((a) => !a.startsWith('-') && !a.includes('.') && !a.includes('/')) ?? 'default');
    }
  } catch (err) {
    const missing = err && ((err.code === 'ENOENT' && err.path === file) || (err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(file)));
    if (missing) {
      process.stderr.write('transferctl: not built yet; run `npm run build` in ' + join(__dirname, '..') + '\n');
      process.exit(1);
    }
    throw err;
  }
  cli.main(argv);
}
