// A generated Dockerfile's step that cannot go on says why in `transferctl-error:` and
// `transferctl-hint:` lines (repo2docker/dockerfile.ts); the build's failure then reads as
// that message instead of "the command returned a non-zero code".
import { UserError } from '../../errors.js';
import type { OnProgress } from '../../engine/index.js';
import { ERROR_MARK, HINT_MARK } from './repo2docker/dockerfile.js';

// The legacy builder colours a step's stderr red.
const ANSI = /\x1b\[[0-9;]*m/g;

export interface FailureWatch {
  onProgress: OnProgress;
  /** The user's error when a step said why it stopped, else the engine's own error. */
  explain(err: unknown): unknown;
}

export function watchBuild(forward: OnProgress = () => {}): FailureWatch {
  let message: string | undefined;
  let hint: string | undefined;
  return {
    onProgress(event) {
      for (const line of (event.stream ?? '').split('\n')) {
        const text = line.replace(ANSI, '').trim();
        if (text.startsWith(ERROR_MARK) && message === undefined) message = text.slice(ERROR_MARK.length).trim();
        else if (text.startsWith(HINT_MARK) && hint === undefined) hint = text.slice(HINT_MARK.length).trim();
      }
      forward(event);
    },
    explain(err) {
      return message === undefined ? err : new UserError(message, { hint, cause: err });
    },
  };
}
