// The transfer flow with the engine and the remote replaced by small fakes: the containerd
// store fallback (whole image, said so), nothing to send, and tag safety.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pack as tarPack, extract as tarExtract } from 'tar-stream';
import { transferImage } from '../../../src/transfer/transfer.js';
import { legacyLayerDirs } from '../../../src/transfer/chain.js';
import type { Remote, RemoteState } from '../../../src/transfer/remote.js';
import type { Engine } from '../../../src/engine/index.js';
import { UserError } from '../../../src/errors.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const LAYERS = [Buffer.alloc(4000, 1), Buffer.alloc(2000, 2)];
const DIFFS = LAYERS.map((l) => `sha256:${sha(l)}`);
const ID = `sha256:${'c'.repeat(64)}`;

function saveStream(): Readable {
  const p = tarPack();
  const dirs = [...legacyLayerDirs(DIFFS), 'f'.repeat(64)];
  dirs.forEach((d, i) => {
    p.entry({ name: `${d}/json` }, JSON.stringify({ id: d, parent: dirs[i - 1] }));
    p.entry({ name: `${d}/layer.tar` }, LAYERS[i]);
  });
  p.entry({ name: 'manifest.json' }, JSON.stringify([{ Config: `${'c'.repeat(64)}.json`, RepoTags: ['app:1'], Layers: dirs.map((d) => `${d}/layer.tar`) }]));
  p.finalize();
  return p as unknown as Readable;
}

const fakeEngine = {
  endpoint: { source: 'test', url: 'unix:///fake.sock' },
  images: {
    inspect: async (ref: string) => (ref === 'app:1' || ref === ID ? { id: ID, repoTags: ['app:1'], layers: DIFFS, labels: {} } : null),
    save: async () => saveStream(),
    history: async () => [{ size: 2000 }, { size: 4000 }],
  },
} as unknown as Engine;

async function layerFiles(tar: Readable): Promise<string[]> {
  const ex = tarExtract();
  tar.pipe(ex as unknown as NodeJS.WritableStream);
  const names: string[] = [];
  for await (const e of ex) {
    if (e.header.name.endsWith('layer.tar')) names.push(e.header.name);
    e.resume();
  }
  return names;
}

function fakeRemote(state: RemoteState, log: string[]): Remote {
  return {
    describe: 'fake (ssh)',
    async open() {
      return {
        state,
        async load(tar, ref) {
          const files = await layerFiles(tar);
          log.push(`load ${ref} ${files.length}`);
          return { loaded: [ref], imageId: ID };
        },
        async tag(id, ref) {
          log.push(`tag ${id} ${ref}`);
          return ID;
        },
        async check(ref) {
          log.push(`check ${ref}`);
          return ID;
        },
        close() {
          log.push('close');
        },
      };
    },
  };
}

test('containerd image store there: says so and sends the whole image', async () => {
  const log: string[] = [];
  const state = { serverVersion: '29.0.0', containerdStore: true, images: [{ id: 'sha256:x', layers: [DIFFS[0]], tags: [], managed: false }] };
  const r = await transferImage({ engine: fakeEngine, image: 'app:1', remote: fakeRemote(state, log) });
  assert.equal(r.mode, 'whole');
  assert.deepEqual(log, ['load app:1 2']);
  assert.match(r.notes.join('\n'), /containerd's store, which cannot load a partial image; sending the whole image/);
});

test('classic store with the base there: only the top layer goes', async () => {
  const log: string[] = [];
  const state = { serverVersion: '20.10', containerdStore: false, images: [{ id: 'sha256:b', layers: [DIFFS[0]], tags: ['base:1'], managed: false }] };
  const steps: string[] = [];
  const r = await transferImage({ engine: fakeEngine, image: 'app:1', remote: fakeRemote(state, log), onProgress: (p) => p.message && steps.push(p.message) });
  assert.equal(r.mode, 'partial');
  assert.deepEqual(log, ['load app:1 1']);
  assert.equal(r.layerBytesSent, 2000);
  assert.ok(steps.some((s) => /1 of 2 layers already there; sending 1 \(about 0\.0 MB\)/.test(s)));
});

test('already there: nothing travels; a missing tag is added', async () => {
  const log: string[] = [];
  const state = { serverVersion: '20.10', containerdStore: false, images: [{ id: ID, layers: DIFFS, tags: [], managed: false }] };
  const r = await transferImage({ engine: fakeEngine, image: 'app:1', remote: fakeRemote(state, log) });
  assert.equal(r.mode, 'none');
  assert.equal(r.bytesSent, 0);
  assert.deepEqual(log, [`tag ${ID} app:1`]);
});

test("a tag there on an image transferctl did not make: refused without --force, session closed", async () => {
  const log: string[] = [];
  const state = { serverVersion: '20.10', containerdStore: false, images: [{ id: 'sha256:theirs', layers: [DIFFS[0]], tags: ['app:1'], managed: false }] };
  await assert.rejects(
    transferImage({ engine: fakeEngine, image: 'app:1', remote: fakeRemote(state, log) }),
    (e: Error) => e instanceof UserError && /already has app:1 as another image/.test(e.message),
  );
  assert.deepEqual(log, ['close']);
  const forced = await transferImage({ engine: fakeEngine, image: 'app:1', remote: fakeRemote(state, []), force: true });
  assert.equal(forced.mode, 'partial');
});

test('a missing local image is a clear error', async () => {
  await assert.rejects(
    transferImage({ engine: fakeEngine, image: 'nope:1', remote: fakeRemote({ serverVersion: '', containerdStore: false, images: [] }, []) }),
    /no image "nope:1" on the local engine \(unix:\/\/\/fake\.sock\)/,
  );
});
