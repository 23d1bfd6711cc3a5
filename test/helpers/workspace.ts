// A workspace in a temporary folder, removed (container and images) after the test.
import { writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { Engine } from '../../src/engine/index.js';
import { tempDir } from './tmp.js';

export interface TestWorkspace {
  dir: string;
  config: string;
  container: string;
  image: string;
}

export function makeWorkspace(t: TestContext, engine: Engine, config: Record<string, unknown> = {}, opts: { owner?: number; group?: number } = {}): TestWorkspace {
  const dir = tempDir(t, 'tc-ws-');
  const suffix = randomBytes(4).toString('hex');
  const container = `tc-test-${suffix}`;
  const image = `tc-test-img-${suffix}`;
  const full = { container: { name: container }, image: { name: image, base: 'transferctl/jupyter:bookworm' }, jupyter: { mode: 'notebook' }, ...config };
  const file = join(dir, 'transfer.json');
  writeFileSync(file, JSON.stringify(full, null, 2));
  if (opts.owner !== undefined) {
    chownSync(dir, opts.owner, opts.group ?? opts.owner);
    chownSync(file, opts.owner, opts.group ?? opts.owner);
  }
  t.after(async () => {
    await engine.containers.remove(container, { force: true }).catch(() => {});
    await engine.images.remove(image, { force: true }).catch(() => {});
    // A rebuild moves the tag and leaves the earlier build untagged: remove those too.
    const earlier = await engine.images.list({ labels: [`org.transferctl.host-directory=${dir}`] }).catch(() => []);
    for (const img of earlier) await engine.images.remove(img.id, { force: true }).catch(() => {});
    // The environment image under its hash tag ([<commit.repo>/]<image>-env:env-<hash12>), once nothing builds on it.
    const named = ((full.image as { name?: string } | undefined)?.name ?? image).replace(/:[^/:]*$/, '');
    const envTag = new RegExp(`(^|/)${named.replace(/[.]/g, '\\.')}-env:env-[0-9a-f]{12}$`);
    for (const img of await engine.images.list().catch(() => [])) {
      for (const tag of img.repoTags) if (envTag.test(tag)) await engine.images.remove(tag, { force: true }).catch(() => {});
    }
  });
  return { dir, config: file, container, image };
}
