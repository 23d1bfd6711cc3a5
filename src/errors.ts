// The one module that defines transferctl's error classes (import them from here only,
// so `instanceof` holds). Commands throw; src/cli/main.ts is the single exit point.
import type { EngineFailureKind } from './engine/errors.js';

/** A problem with the user's input or environment: printed without a stack. */
export class UserError extends Error {
  readonly hint?: string;
  readonly exitCode: number;
  constructor(message: string, opts: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'UserError';
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? 1;
  }
}

/** A config file problem, located at file:line:col when known. */
export class ConfigError extends UserError {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  constructor(file: string, message: string, where: { line?: number; column?: number; hint?: string } = {}) {
    const loc = where.line ? `${file}:${where.line}:${where.column ?? 1}` : file;
    super(`${loc}: ${message}`, { hint: where.hint, exitCode: 2 });
    this.name = 'ConfigError';
    this.file = file;
    this.line = where.line;
    this.column = where.column;
  }
}

/** The engine cannot be reached or refused a request in a way the user can fix. */
export class EngineError extends UserError {
  /** What went wrong (src/engine/errors.ts sets it from the engine's answer; ours are 'other'). */
  readonly kind: EngineFailureKind;
  constructor(message: string, opts: { hint?: string; cause?: unknown; kind?: EngineFailureKind } = {}) {
    super(message, { hint: opts.hint, cause: opts.cause, exitCode: 3 });
    this.name = 'EngineError';
    this.kind = opts.kind ?? 'other';
  }
}

/** The user pressed Ctrl-C; cleanup already ran. */
export class InterruptedError extends UserError {
  constructor() {
    super('interrupted; nothing half-done was left behind', { exitCode: 130 });
    this.name = 'InterruptedError';
  }
}
