// Remove a container without waiting for the engine to delete its files: for a temporary
// container whose work is done (a save's copy of a large folder takes the engine ~1 s to
// delete). A detached child process sends DELETE /containers/ID?force=1 over the local socket
// and outlives this process; the engine finishes the removal whatever the caller does next.
// Remote engines (tcp, ssh) are removed in the foreground. If the child fails, the container
// stays labelled temporary with a dead owner: the janitor's next sweep removes it.
import { spawn } from 'node:child_process';
import type { EngineEndpoint } from './types.js';

const SCRIPT = [
  "const http = require('node:http');",
  'const req = http.request({ socketPath: process.env.TC_SOCKET, method: "DELETE", path: `/containers/${process.env.TC_ID}?force=1&v=1` }, (res) => res.resume());',
  "req.on('error', () => process.exit(1));",
  'req.end();',
].join('\n');

/** True when the removal went to a detached helper; false when the caller must remove it. */
export function removeDetached(ep: EngineEndpoint, id: string): boolean {
  if (!ep.socketPath || !/^[0-9a-f]{12,64}$/.test(id)) return false;
  try {
    const child = spawn(process.execPath, ['-e', SCRIPT], {
      detached: true,
      stdio: 'ignore',
      env: { TC_SOCKET: ep.socketPath, TC_ID: id, PATH: process.env.PATH ?? '' },
    });
    child.on('error', () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}
