// configurable-http-proxy (JupyterHub's proxy, the devDependency) as the latency benchmark's
// reference: its own process, as JupyterHub runs it, with the notebook's published port as its
// default target, so a request through it takes the same path and answer as through serve.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { ROOT, sleep } from './_serve-service.js';

const BIN = join(ROOT, 'node_modules/configurable-http-proxy/bin/configurable-http-proxy');

export interface Chp {
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => (c.destroy(), resolve(true)));
    c.on('error', () => resolve(false));
  });

/** Start CHP in front of 127.0.0.1:targetPort; resolves once it accepts connections. */
export async function startChp(targetPort: number): Promise<Chp> {
  const port = await freePort();
  const apiPort = await freePort();
  const child = spawn(process.execPath, [BIN, '--ip', '127.0.0.1', '--port', String(port), '--api-ip', '127.0.0.1', '--api-port', String(apiPort), '--default-target', `http://127.0.0.1:${targetPort}`, '--log-level', 'error'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, CONFIGPROXY_AUTH_TOKEN: 'bench' },
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; !(await answers(port)); i++) {
    if (child.exitCode !== null || i > 100) throw new Error('configurable-http-proxy did not start');
    await sleep(100);
  }
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
