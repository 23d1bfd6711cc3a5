// Rendering at the edge: JSON on stdout when asked, human text otherwise, diagnostics on stderr.
import pc from 'picocolors';
import type { ProgressEvent } from '../engine/types.js';
import { endLiveLine, progressMode, quietPrinter } from './progress-view.js';

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function say(text: string): void {
  endLiveLine();
  process.stdout.write(text + '\n');
}

export function info(text: string): void {
  endLiveLine();
  process.stderr.write(pc.dim(text) + '\n');
}

export function warn(text: string): void {
  endLiveLine();
  process.stderr.write(pc.yellow(`warning: ${text}`) + '\n');
}

export function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : (cell ?? '').padEnd(widths[i]))).join('  ')).join('\n');
}

/**
 * Build/pull/load progress on stderr (nothing with --json, so stdout stays parseable): a few
 * lines and a log file (progress-view.ts), or everything with `--progress plain`.
 */
export function progressPrinter(quiet = false): (e: ProgressEvent) => void {
  if (!quiet && progressMode() === 'quiet') return quietPrinter();
  const lastStatus = new Map<string, string>();
  return (e) => {
    if (quiet) return;
    if (e.stream) {
      const text = e.stream.replace(/\n$/, '');
      if (text.trim()) process.stderr.write(pc.dim(text) + '\n');
    } else if (e.status) {
      const key = e.id ?? '';
      const line = `${e.id ? e.id + ': ' : ''}${e.status}${e.progress ? ' ' + e.progress : ''}`;
      if (e.progressDetail?.current && lastStatus.get(key) === e.status) return; // one line per phase
      lastStatus.set(key, e.status);
      process.stderr.write(pc.dim(line) + '\n');
    }
  };
}
