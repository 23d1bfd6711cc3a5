// `up` on an ssh:// engine: the printed URL works through a port forwarded over ssh, which
// lasts while this process runs. Stay attached until Ctrl-C (or SIGTERM); the workspace keeps running.
import { info } from './output.js';

export interface HeldTunnel {
  /** Say what is forwarded and how to stop (after the URL has been printed). */
  announce(): void;
  /** Resolves on Ctrl-C or SIGTERM. */
  held: Promise<void>;
}

/**
 * Listen for Ctrl-C and SIGTERM from now on: called before the URL (or --json result) is
 * printed, so a signal that comes right after it still ends the process through its exit
 * handlers (the ssh master connection and its socket folder go with them).
 */
export function holdTunnel(up: { tunnel?: { remotePort: number }; host: string; port: number }, quiet = false): HeldTunnel {
  if (!up.tunnel) return { announce: () => {}, held: Promise.resolve() };
  const remotePort = up.tunnel.remotePort;
  // Signal listeners alone do not keep Node running: a timer does, until a signal comes.
  const held = new Promise<void>((resolve) => {
    const keep = setInterval(() => {}, 1 << 30);
    const done = () => {
      clearInterval(keep);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  return {
    announce() {
      if (quiet) return;
      info(
        `forwarding ${up.host}:${up.port} to port ${remotePort} on the engine's host over ssh; ` +
          'press Ctrl-C to stop forwarding (the workspace keeps running; `transferctl up` forwards it again)',
      );
    },
    held,
  };
}
