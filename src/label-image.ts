// Labels on a built image in one small build step, and the tag: shared by the workspace's and
// the project's builds.
import type { Engine } from './engine/index.js';
import { memoryTar } from './context-tar.js';

/**
 * Put labels on a built image in one step and tag it. (The legacy builder turns build-time
 * labels into one LABEL step each; this is one small step whatever the count.)
 */
export async function labelImage(engine: Engine, imageId: string, tag: string, labels: Record<string, string>, signal?: AbortSignal): Promise<string> {
  const line = Object.entries(labels)
    .map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`)
    .join(' \\\n      ');
  const dockerfile = `FROM ${imageId}\nLABEL ${line}\n`;
  return engine.images.build(memoryTar([{ name: 'Dockerfile', content: dockerfile }]), { tags: [tag], signal }, () => {});
}
