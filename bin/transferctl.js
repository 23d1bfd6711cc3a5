#!/usr/bin/env node
// Entry shim. `--version` is answered here so it loads nothing else; everything else runs the
// CLI bundle (dist/bundle/transferctl.cjs, built by `npm run build`) through ./compile-cache.js.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './compile-cache.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(pkg.version + '\n');
} else {
  const file = fileURLToPath(new URL('../dist/bundle/transferctl.cjs', import.meta.url));
  let cli;
  try {
    // One code cache per command: each caches the functions its own runs compile.
    cli = loadBundle(file, argv.find((a) => !a.startsWith('-') && !a.includes('.') && !a.includes('/')) ?? 'default');
  } catch (err) {
    if (err && err.code === 'ENOENT' && err.path === file) {
      process.stderr.write('transferctl: not built yet; run `npm run build` in ' + fileURLToPath(new URL('..', import.meta.url)) + '\n');
      process.exit(1);
    }
    throw err;
  }
  await cli.main(argv);
}
