// `up` on an ssh:// engine: the printed URL works through a port forwarded over ssh, which
// lasts while this process runs. Stay attached until Ctrl-C (or SIGTERM); the workspace keeps running.
import { info } from './output.js';

export async function holdTunnel(up: { tunnel?: { remotePort: number }; host: string; port: number }, quiet = false): Promise<void> {
  if (!up.tunnel) return;
  if (!quiet) {
    info(
      `forwarding ${up.host}:${up.port} to port ${up.tunnel.remotePort} on the engine's host over ssh; ` +
        'press Ctrl-C to stop forwarding (the workspace keeps running; `transferctl up` forwards it again)',
    );
  }
  // Signal listeners alone do not keep Node running: a timer does, until a signal comes.
  await new Promise<void>((resolve) => {
    const keep = setInterval(() => {}, 1 << 30);
    const done = () => {
      clearInterval(keep);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
