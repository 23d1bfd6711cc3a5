// A reader that goes away before transferctl writes (`transferctl --help | head -0`) ends
// nothing badly: no EPIPE stack trace, the usual exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/transferctl.js', import.meta.url));

function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // closed long before the CLI has started
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

for (const args of [['--help'], ['schema'], ['--debug', 'completion', 'bash']]) {
  test(`transferctl ${args.join(' ')} with its stdout closed: exit 0, nothing on stderr`, async () => {
    const r = await runWithClosedStdout(args);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
  });
}
