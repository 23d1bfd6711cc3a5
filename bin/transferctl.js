#!/usr/bin/env node
// Entry shim. `--version` is answered here so it loads nothing else.
import { readFileSync } from 'node:fs';
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(pkg.version + '\n');
} else {
  const url = new URL('../dist/cli/main.js', import.meta.url);
  let mod;
  try {
    mod = await import(url.href);
  } catch (err) {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
      process.stderr.write('transferctl: not built yet; run `npm run build` in ' + new URL('..', import.meta.url).pathname + '\n');
      process.exit(1);
    }
    throw err;
  }
  await mod.main(argv);
}
