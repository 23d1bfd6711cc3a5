// Engine progress streams (build, pull, push, load, import): newline-delimited JSON.
// An `error`/`errorDetail` inside a 200 response is a failure, never success.
import type { Readable } from 'node:stream';
import { EngineError } from '../errors.js';
import { classifyEngineFailure } from './errors.js';
import type { OnProgress, ProgressEvent } from './types.js';

export function followProgress(stream: Readable, onProgress: OnProgress = () => {}, what = 'engine operation'): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    const events: ProgressEvent[] = [];
    let buffer = '';
    let failed: Error | undefined;
    const handle = (line: string) => {
      if (!line.trim()) return;
      let event: ProgressEvent;
      try {
        event = JSON.parse(line) as ProgressEvent;
      } catch {
        event = { stream: line + '\n' };
      }
      events.push(event);
      if ((event.error || event.errorDetail) && !failed) {
        const message = (event.errorDetail?.message ?? event.error ?? 'unknown error').trim();
        failed = new EngineError(`${what} failed: ${message}`, { kind: classifyEngineFailure(message) });
      }
      onProgress(event);
    };
    stream.setEncoding?.('utf8');
    stream.on('data', (chunk: string | Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        handle(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    stream.on('end', () => {
      handle(buffer);
      if (failed) reject(failed);
      else resolve(events);
    });
    stream.on('error', (err) => reject(failed ?? new EngineError(`${what} failed: ${err.message}`, { cause: err })));
    stream.on('close', () => {
      // A stream destroyed before 'end' (Ctrl-C or a dropped connection).
      if (!stream.readableEnded) reject(failed ?? new EngineError(`${what} was cut off before it finished`));
    });
  });
}
