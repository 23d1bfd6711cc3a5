// Startup time: dockerode loads ssh2 (for ssh:// engines) and gRPC + protobuf (for BuildKit
// sessions) as soon as it is required, ~150 ms on every command that never uses them.
// This defers those requires, made from inside dockerode/docker-modem only (or from the CLI
// bundle, which holds their code: scripts/bundle.mjs), to first use.
// Must be imported before dockerode (src/engine/index.ts does).
import Module from 'node:module';

type Loader = (request: string, parent: { filename?: string } | null, isMain: boolean) => unknown;
const mod = Module as unknown as { _load: Loader };
const original = mod._load;
const DEFERRED = new Set(['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs']);

function fromDockerode(parent: { filename?: string } | null): boolean {
  const f = parent?.filename ?? '';
  return f.includes('/node_modules/dockerode/') || f.includes('/node_modules/docker-modem/') || (f.includes('/dist/bundle/') && f.endsWith('.cjs'));
}

function lazyObject(load: () => object): object {
  let real: object | undefined;
  const get = () => (real ??= load());
  return new Proxy({}, {
    get: (_t, key) => Reflect.get(get(), key),
    has: (_t, key) => Reflect.has(get(), key),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_t, key) => Reflect.getOwnPropertyDescriptor(get(), key),
  });
}

if (!(globalThis as { __transferctlLazyDeps?: boolean }).__transferctlLazyDeps) {
  (globalThis as { __transferctlLazyDeps?: boolean }).__transferctlLazyDeps = true;
  mod._load = function (request, parent, isMain) {
    if (fromDockerode(parent)) {
      if (DEFERRED.has(request)) return lazyObject(() => original.call(this, request, parent, isMain) as object);
      // docker-modem's ssh agent factory: `module.exports = function (opt) { … }`
      if ((request === './ssh' && parent?.filename?.includes('/docker-modem/')) || request === 'docker-modem/lib/ssh.js') {
        return (...args: unknown[]) => (original.call(this, request, parent, isMain) as (...a: unknown[]) => unknown)(...args);
      }
    }
    return original.call(this, request, parent, isMain);
  };
}
