// Ctrl-C: the first press aborts the operation (which cleans up after itself);
// a second press exits at once.
import { InterruptedError } from '../errors.js';

export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let presses = 0;
  const onSignal = () => {
    presses++;
    if (presses === 1) {
      process.stderr.write('\ntransferctl: interrupted — cleaning up (press Ctrl-C again to quit at once)\n');
      controller.abort(new InterruptedError());
    } else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await fn(controller.signal);
    if (controller.signal.aborted) throw controller.signal.reason;
    return result;
  } catch (err) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
