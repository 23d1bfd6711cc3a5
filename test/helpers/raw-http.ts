// One HTTP/1.1 exchange over a raw TCP socket: the request exactly as written (headers a
// browser or fetch would never send), the response as the server wrote it.
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  raw: string;
}

/**
 * Send `head` (lines without the final blank line) and `body`; read until the server closes.
 * `from`: the local address to connect from (another 127.x address is another peer to the server).
 */
export function rawRequest(url: string, lines: string[], body = '', from?: string): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: Number(u.port), host: u.hostname, localAddress: from });
    const chunks: Buffer[] = [];
    socket.setTimeout(30_000, () => socket.destroy(new Error('no answer within 30 s')));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const end = raw.indexOf('\r\n\r\n');
      const head = (end < 0 ? raw : raw.slice(0, end)).split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const h of head.slice(1)) {
        const i = h.indexOf(':');
        if (i > 0) headers[h.slice(0, i).toLowerCase()] = h.slice(i + 1).trim();
      }
      resolve({ status, headers, body: end < 0 ? '' : raw.slice(end + 4), raw });
    });
    const withClose = lines.some((l) => /^connection:/i.test(l)) ? lines : [...lines, 'Connection: close'];
    socket.write(`${withClose.join('\r\n')}\r\n\r\n${body}`, 'latin1');
  });
}
