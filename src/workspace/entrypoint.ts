// The user-mapping entrypoint (templates/entrypoint.sh), run inline as `sh -c SCRIPT`:
// any image with /bin/sh works, no rebuild per user, nothing copied in before start.
import { readFileSync } from 'node:fs';

let script: string | undefined;
export function entrypointScript(): string {
  script ??= readFileSync(new URL('../../templates/entrypoint.sh', import.meta.url), 'utf8');
  return script;
}
