// Start a created container with this process's terminal attached to it (`docker run -it`):
// output streamed, input forwarded, the terminal in raw mode and resized with the window.
import type Docker from 'dockerode';
import type { Readable, Writable } from 'node:stream';
import { call } from './errors.js';
import type { EngineEndpoint } from './types.js';

export interface AttachOptions {
  /** Forward input to the container (it was created with openStdin). */
  stdin: boolean;
  /** The container was created with a terminal (tty): one raw stream, no demultiplexing. */
  tty: boolean;
  /** Default: process.stdin / stdout / stderr. */
  streams?: { stdin?: Readable; stdout?: Writable; stderr?: Writable };
}

/** Resolves when the stream ends, or `ms` after the container exited (`armed`) if it never does. */
function ended(stream: NodeJS.ReadableStream, ms: number): Promise<void> & { arm(): void } {
  let arm = () => {};
  const p = new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = () => {
      done = true;
      if (timer) clearTimeout(timer);
      resolve();
    };
    arm = () => {
      if (!done) timer = setTimeout(finish, ms);
    };
    stream.once('end', finish);
    stream.once('close', finish);
  });
  return Object.assign(p, { arm: () => arm() });
}

/** Attach, start, forward until the container exits; resolves with its exit code. */
export async function startAttached(docker: Docker, ep: EngineEndpoint, id: string, opts: AttachOptions): Promise<number> {
  const container = docker.getContainer(id);
  const input = opts.streams?.stdin ?? process.stdin;
  const out = opts.streams?.stdout ?? process.stdout;
  const err = opts.streams?.stderr ?? process.stderr;
  const stream = (await call(ep, `attach to ${id}`, () =>
    container.attach({ stream: true, stdin: opts.stdin, stdout: true, stderr: true, hijack: opts.stdin }),
  )) as NodeJS.ReadWriteStream;
  const outputDone = ended(stream, 2000);
  if (opts.tty) stream.pipe(out, { end: false });
  else docker.modem.demuxStream(stream, out, err);
  const exited = call(ep, `wait for ${id}`, () => container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>);
  exited.catch(() => {});
  await call(ep, `start container ${id}`, () => container.start());
  const terminal = opts.tty && input === process.stdin && process.stdin.isTTY;
  const resize = () => container.resize({ h: process.stdout.rows, w: process.stdout.columns }).catch(() => {});
  if (terminal) {
    process.stdin.setRawMode(true);
    process.stdout.on('resize', resize);
    await resize();
  }
  if (opts.stdin) {
    input.pipe(stream as unknown as Writable);
    input.resume();
  }
  try {
    const { StatusCode } = await exited;
    outputDone.arm();
    await outputDone;
    return StatusCode;
  } finally {
    if (opts.stdin) {
      input.unpipe(stream as unknown as Writable);
      if (input === process.stdin) process.stdin.pause();
    }
    if (terminal) {
      process.stdout.off('resize', resize);
      process.stdin.setRawMode(false);
    }
  }
}

/** A connection to a container's stdio (opened before it starts; it was created with openStdin). */
export interface AttachedStdio {
  /** Writes go to the container's stdin; end() closes it (with stdinOnce). */
  input: Writable;
  /** Resolves when the container's output ends (it exited, or the connection dropped). */
  ended: Promise<void>;
  /** Drop the connection: the container's stdin closes (stdinOnce) and this process may exit. */
  close(): void;
}

export async function attachStdio(docker: Docker, ep: EngineEndpoint, id: string, out: { stdout: Writable; stderr: Writable }): Promise<AttachedStdio> {
  const stream = (await call(ep, `attach to ${id}`, () =>
    docker.getContainer(id).attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }),
  )) as NodeJS.ReadWriteStream & { destroy(): void };
  docker.modem.demuxStream(stream, out.stdout, out.stderr);
  const ended = new Promise<void>((resolve) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
  return { input: stream as unknown as Writable, ended, close: () => stream.destroy() };
}
