// How build/pull/load progress looks: a few lines, the full output in a log file.
// "quiet" (the default): each build step as one line ("[3/8] RUN apt-get …"), a pull as one
// line per image, and on a terminal one line that is rewritten with the latest output; every
// line the engine sent goes to a log file named once. On failure the entry prints the last
// lines of that log and its path (failureTail). "plain" (`--progress plain`,
// TRANSFERCTL_PROGRESS=plain) streams everything as it comes, as before.
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import pc from 'picocolors';
import type { ProgressEvent } from '../engine/types.js';

export type ProgressMode = 'quiet' | 'plain';

let mode: ProgressMode = process.env.TRANSFERCTL_PROGRESS === 'plain' ? 'plain' : 'quiet';
let logFile: string | undefined;
/** A rewritten status line is on the terminal (stderr) now. */
let liveLine = false;

/** Clear the rewritten status line, so the next line starts on a clean row. */
export function endLiveLine(out?: { write(s: string): void }): void {
  if (liveLine) (out ?? process.stderr).write('\r\x1b[K'); // process.stderr only when needed: Node makes it on first use
  liveLine = false;
}

export function setProgressMode(m: ProgressMode): void {
  mode = m;
}

export function progressMode(): ProgressMode {
  return mode;
}

export function logDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TRANSFERCTL_LOG_DIR) return env.TRANSFERCTL_LOG_DIR;
  const base = env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : tmpdir());
  return join(base, 'transferctl', 'logs');
}

/** The names this module gives its logs ("build-2026-12-05T12-49-14-680Z-29019.log"). */
const OUR_LOG = /^[a-z][a-z-]*-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-\d+\.log$/;

/**
 * Keep the newest `keep` logs of ours in `dir` (as npm keeps its last logs): a base image's
 * build log is megabytes, and one is written per build. Files not named like ours stay.
 */
export function pruneLogs(dir: string, keep = 30): void {
  try {
    const ours = readdirSync(dir)
      .filter((n) => OUR_LOG.test(n))
      .map((n) => {
        try {
          return { path: join(dir, n), at: statSync(join(dir, n)).mtimeMs };
        } catch {
          return undefined;
        }
      })
      .filter((x) => x !== undefined)
      .sort((a, b) => b.at - a.at);
    for (const old of ours.slice(keep)) rmSync(old.path, { force: true });
  } catch {
    // an unreadable folder: nothing to prune
  }
}

/** One log file per process, made on the first line written; its path is told once. */
function log(text: string, announce: (line: string) => void): void {
  if (!logFile) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const command = process.argv.slice(2).find((a) => /^[a-z][a-z-]*$/.test(a)) ?? 'transferctl';
    const dir = logDir();
    try {
      mkdirSync(dir, { recursive: true });
      logFile = join(dir, `${command}-${stamp}-${process.pid}.log`);
      appendFileSync(logFile, '');
      pruneLogs(dir);
      announce(`full log: ${logFile}`);
    } catch {
      logFile = '';
    }
  }
  if (logFile) {
    try {
      appendFileSync(logFile, text.endsWith('\n') ? text : text + '\n');
    } catch {
      // a full disk: the log is a convenience, the build goes on
    }
  }
}

/** The last lines of this run's log, for the error report (undefined when nothing was logged). */
export function failureTail(lines = 20): { path: string; lines: string[] } | undefined {
  if (!logFile) return undefined;
  try {
    const all = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.trim());
    return all.length ? { path: logFile, lines: all.slice(-lines) } : undefined;
  } catch {
    return undefined;
  }
}

/** A legacy builder step header: "Step 3/8 : RUN apt-get …" → "[3/8] RUN apt-get …". */
export function stepLine(text: string, width = 100): string | undefined {
  const m = /^Step (\d+\/\d+) : (.*)$/.exec(text.trim());
  if (!m) return undefined;
  const line = `[${m[1]}] ${m[2].replace(/\s+/g, ' ')}`;
  return line.length > width ? line.slice(0, width - 1) + '…' : line;
}

/** The text of an event as one log line. */
function eventText(e: ProgressEvent): string {
  // eslint-disable-next-line no-control-regex
  if (e.stream) return e.stream.replace(/\n$/, '').replace(/\x1b\[[0-9;]*m/g, '');
  return `${e.id ? e.id + ': ' : ''}${e.status ?? ''}${e.progress ? ' ' + e.progress : ''}`;
}

interface Out {
  write(s: string): void;
  isTTY?: boolean;
  columns?: number;
}

export function quietPrinter(out: Out = process.stderr): (e: ProgressEvent) => void {
  const tty = !!out.isTTY;
  const width = Math.max(40, (out.columns ?? 100) - 2);
  const line = (text: string) => {
    endLiveLine(out);
    out.write(pc.dim(text) + '\n');
  };
  return (e) => {
    const text = eventText(e);
    if (!text.trim() && !e.aux) return;
    log(text, line);
    const step = e.stream ? stepLine(text, width) : undefined;
    if (step) return line(step);
    // Pull/push: the per-image lines ("Pulling from …", "Status: …"), not every layer's.
    if (e.status && !e.id && !e.stream) return line(text);
    if (tty && text.trim()) {
      const shown = text.trim().replace(/\s+/g, ' ');
      out.write(`\r\x1b[K${pc.dim('  … ' + (shown.length > width - 4 ? shown.slice(0, width - 5) + '…' : shown))}`);
      liveLine = true;
    }
  };
}
