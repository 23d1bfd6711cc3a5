// A remote engine through the Engine API (a DOCKER_HOST-style tcp:// or unix:// URL).
import { PassThrough } from 'node:stream';
import type { Engine } from '../engine/index.js';
import { L } from '../labels.js';
import { splitRef } from '../image-ref.js';
import type { Remote, RemoteImage } from './remote.js';

export function apiRemote(engine: Engine): Remote {
  const idOf = async (ref: string) => (await engine.images.inspect(ref))?.id ?? null;
  return {
    describe: engine.endpoint.url,
    async open(signal) {
      const info = await engine.info();
      const images: RemoteImage[] = [];
      for (const s of await engine.images.list()) {
        const d = await engine.images.inspect(s.id);
        if (d) images.push({ id: d.id, layers: d.layers, tags: d.repoTags, managed: d.labels[L.managed] === 'true' });
      }
      return {
        state: { serverVersion: info.serverVersion, containerdStore: info.containerdSnapshotter, images },
        async loadStep(tar) {
          signal?.addEventListener('abort', () => tar.destroy(), { once: true });
          const loaded = await engine.images.load(tar);
          const id = loaded.map((l) => /sha256:[0-9a-f]{64}/.exec(l)?.[0]).find(Boolean);
          return id ?? null;
        },
        async remove(ids) {
          for (const id of ids) await engine.images.remove(id).catch(() => {});
        },
        async load(tar, ref) {
          signal?.addEventListener('abort', () => tar.destroy(), { once: true });
          const loaded = await engine.images.load(tar);
          const d = await engine.images.inspect(ref);
          return { loaded, imageId: d?.id ?? null, layers: d?.layers };
        },
        async tag(id, ref) {
          const [repo, tag] = splitRef(ref);
          await engine.images.tag(id, repo, tag);
          return idOf(ref);
        },
        check: idOf,
        save(ref) {
          // The Engine API exports whole images only: every layer travels.
          const out = new PassThrough();
          engine.images.save([ref]).then((s) => s.pipe(out), (err) => out.destroy(err));
          return out;
        },
        close() {},
      };
    },
  };
}
