// Host ports: is one free, and the next free one from a start.
import { createServer } from 'node:net';

export function portFree(port: number, address = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: address, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function nextFreePort(start: number, address = '127.0.0.1', skip: Set<number> = new Set(), tries = 200): Promise<number | undefined> {
  for (let p = start; p < start + tries && p <= 65535; p++) {
    if (skip.has(p)) continue;
    if (await portFree(p, address)) return p;
  }
  return undefined;
}
