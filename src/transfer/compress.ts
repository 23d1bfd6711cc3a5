// Compression of export files: none, gzip, or zstd where the Node runtime has it (Node 22.15+;
// Node 20 has not). Chosen by flag or by the file name; recognised on import by magic bytes.
import zlib from 'node:zlib';
import { PassThrough, type Transform } from 'node:stream';
import { UserError } from '../errors.js';

export type Compression = 'none' | 'gzip' | 'zstd';

type ZstdZlib = { createZstdCompress?: () => Transform; createZstdDecompress?: () => Transform };
const z = zlib as unknown as ZstdZlib;

export function hasZstd(lib: ZstdZlib = z): boolean {
  return typeof lib.createZstdCompress === 'function' && typeof lib.createZstdDecompress === 'function';
}

export function compressionFor(file: string, flag?: string): Compression {
  if (flag) {
    if (flag === 'none' || flag === 'gzip' || flag === 'zstd') return flag;
    throw new UserError(`--compress ${flag}: not a compression transferctl knows`, { hint: 'use none, gzip or zstd', exitCode: 2 });
  }
  if (/\.(t?gz|gzip)$/i.test(file)) return 'gzip';
  if (/\.(zst|tzst)$/i.test(file)) return 'zstd';
  return 'none';
}

function noZstd(): UserError {
  return new UserError(`zstd needs a Node.js runtime with zlib zstd support (22.15 or newer); this is ${process.version}`, {
    hint: 'use gzip (-o FILE.tar.gz), or decompress with `zstd -d` first',
  });
}

export function compressor(c: Compression): Transform {
  if (c === 'gzip') return zlib.createGzip({ level: 6 });
  if (c === 'zstd') {
    if (!hasZstd()) throw noZstd();
    return z.createZstdCompress!();
  }
  return new PassThrough();
}

/** From the first bytes of a file. */
export function detectCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

export function decompressor(c: Compression): Transform {
  if (c === 'gzip') return zlib.createGunzip();
  if (c === 'zstd') {
    if (!hasZstd()) throw noZstd();
    return z.createZstdDecompress!();
  }
  return new PassThrough();
}
