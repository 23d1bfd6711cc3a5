// The real world behind doctor's checks: the engine facade, statfs, `cmd --version`, a
// registry's /v2/ and the workspace config in the current folder.
import { execFile } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { promisify } from 'node:util';
import { findConfig, readConfig } from '../config/load.js';
import { createEngine, type Engine } from '../engine/index.js';
import { registryHost } from '../image-ref.js';
import { registryAnswers } from '../workspace/base-image.js';
import type { Probes } from './checks.js';

const run = promisify(execFile);

export function realProbes(opts: { cwd?: string; config?: string; engine?: Engine; timeoutMs?: number } = {}): Probes {
  const engine = opts.engine ?? createEngine();
  const timeoutMs = opts.timeoutMs ?? 3000;
  return {
    endpoint: () => engine.endpoint,
    isLocal: () => engine.isLocal,
    async engineInfo() {
      try {
        await Promise.race([engine.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs).unref())]);
        return await engine.info();
      } catch (err) {
        return (err as Error).message.split('\n')[0];
      }
    },
    hasImage: async (ref) => !!(await engine.images.inspect(ref).catch(() => undefined)),
    async freeBytes(path) {
      try {
        const s = await statfs(path);
        return s.bavail * s.bsize;
      } catch {
        return undefined;
      }
    },
    async commandVersion(cmd, args) {
      try {
        const { stdout, stderr } = await run(cmd, args, { timeout: timeoutMs });
        return (stdout.trim() || stderr.trim()).split('\n')[0];
      } catch (err) {
        const e = err as { code?: string | number; stderr?: string };
        // `ssh -V` prints to stderr; a non-zero exit with output still means installed
        return e.code === 'ENOENT' ? undefined : e.stderr?.trim().split('\n')[0] || undefined;
      }
    },
    registryAnswers: (host) => registryAnswers(host, timeoutMs),
    configuredRegistry() {
      try {
        const file = findConfig(opts.cwd ?? process.cwd(), opts.config);
        const repo = file ? readConfig(file).commit?.repo : undefined;
        return repo ? registryHost(`${repo.replace(/\/+$/, '')}/x`) : undefined;
      } catch {
        return undefined; // a broken config is `up`'s to report, not doctor's
      }
    },
  };
}
