// The fast copy's temporary container, started attached: it copies from the mounted folder
// (its lists were written before the start) and says so on stdout; once the manifest, hashed on
// this side meanwhile, is in the lists folder, a line on stdin has it copied in. Then the
// container waits, running, until the commit is done: a container that exits unmounts its
// layer, and that flushes the whole copy to disk while the commit reads it. Should this
// process die, the connection drops, stdin closes and the container ends by itself; else it
// goes with the temporary container's removal.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AttachedStdio, Engine } from '../../engine/index.js';
import { debug } from '../../log.js';
import { COPIED_MARK, layerFailed } from './temp-container.js';

const log = debug('save');

export interface CopyAgent {
  /** Resolves once every copy is done (the container then waits for the manifest). */
  copied: Promise<void>;
  /** Put the manifest in; resolves once the container has written all of it. */
  finish(manifest: Buffer): Promise<void>;
}

interface Tail {
  sink: Writable;
  text: () => string;
  /** Called with the text so far after each write, until they return true. */
  waiters: ((text: string) => boolean)[];
}

/** Keeps the last `max` characters written to it. */
function tailOf(max: number): Tail {
  let text = '';
  const tail: Tail = {
    sink: new Writable({
      write(chunk: Buffer, _enc, cb) {
        text = (text + chunk.toString('utf8')).slice(-max);
        tail.waiters = tail.waiters.filter((w) => !w(text));
        cb();
      },
    }),
    text: () => text,
    waiters: [],
  };
  return tail;
}

const WROTE = /manifest\s+(\d+)\s*$/m;

export async function startCopyAgent(engine: Engine, id: string, listsDir: string): Promise<CopyAgent> {
  const out = tailOf(4096);
  const err = tailOf(4096);
  const io: AttachedStdio = await engine.containers.attachStdio(id, { stdout: out.sink, stderr: err.sink });
  // Its output is all read when the connection ends: a container that stops before saying
  // what is awaited failed, and its own words say why.
  const ended = io.ended.then(async () => {
    const code = await engine.containers.wait(id).catch(() => -1);
    throw layerFailed(code, err.text() || out.text());
  });
  ended.catch(() => {});
  const when = (test: (text: string) => boolean): Promise<void> => {
    const seen = new Promise<void>((resolve) => out.waiters.push((text) => test(text) && (resolve(), true)));
    const p = Promise.race([seen, ended]);
    p.catch(() => {});
    return p;
  };
  const copied = when((text) => text.includes(COPIED_MARK));
  try {
    await engine.containers.start(id);
    log('copy agent started');
  } catch (e) {
    io.close();
    throw e;
  }
  return {
    copied,
    async finish(manifest) {
      writeFileSync(join(listsDir, 'manifest'), manifest, { mode: 0o644 });
      const wrote = when((text) => WROTE.test(text));
      io.input.write('manifest\n');
      await wrote;
      const bytes = Number(WROTE.exec(out.text())?.[1]);
      if (bytes !== manifest.length) throw layerFailed(0, `the manifest arrived with ${bytes} bytes of ${manifest.length}`);
      log('manifest written');
    },
  };
}
