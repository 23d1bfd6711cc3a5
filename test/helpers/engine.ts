// Integration tests need a real engine. When CI=true a missing engine is a failure, never a skip.
import type { TestContext } from 'node:test';
import { createEngine, type Engine } from '../../src/engine/index.js';

let cached: Promise<Engine | undefined> | undefined;

async function probe(): Promise<Engine | undefined> {
  const engine = createEngine();
  try {
    await engine.ping();
    return engine;
  } catch {
    return undefined;
  }
}

/** The engine, or: skip (locally) / throw (CI). */
export async function requireEngine(t: TestContext): Promise<Engine> {
  cached ??= probe();
  const engine = await cached;
  if (engine) return engine;
  if (process.env.CI === 'true') throw new Error('CI=true but no Docker Engine answers: .ci/run must start one');
  t.skip('no Docker Engine answers (run scripts/engine-up.sh)');
  return undefined as unknown as Engine;
}

/** Skip (locally) or fail (CI) when a test image is missing. */
export async function requireImage(t: TestContext, engine: Engine, ref: string): Promise<boolean> {
  if (await engine.images.inspect(ref)) return true;
  const msg = `test image ${ref} is missing (scripts/test-images.sh makes it)`;
  if (process.env.CI === 'true') throw new Error(msg);
  t.skip(msg);
  return false;
}

/** Test images (made by scripts/test-images.sh through `transferctl base create`). */
export const LAB_IMAGE = 'transferctl/jupyter:trixie';
export const NOTEBOOK6_IMAGE = 'transferctl/jupyter:bookworm';
export const DEBIAN_IMAGE = 'transferctl/debian:trixie';

/** Remove every container and image a test made, found by a label value. */
export async function cleanupByLabel(engine: Engine, key: string, value: string): Promise<void> {
  for (const c of await engine.containers.list({ labels: { [key]: value } })) {
    await engine.containers.remove(c.id, { force: true }).catch(() => {});
  }
}
