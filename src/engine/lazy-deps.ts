// Startup time: dockerode loads ssh2 (for ssh:// engines) and gRPC + protobuf (for BuildKit
// sessions) as soon as it is required, ~150 ms on every command that never uses them; and
// tar-fs, a .dockerignore parser and a readable-stream duplex that we rarely or never use.
// This defers those requires, made from inside dockerode/docker-modem only (or from the CLI
// bundle, which holds their code: scripts/bundle.mjs), to first use. A stand-in of the same
// kind (an object, a function, a constructor) is returned now, the module loaded when it is used.
// Must be imported before dockerode (src/engine/index.ts does).
import Module from 'node:module';

type Loader = (request: string, parent: { filename?: string } | null, isMain: boolean) => unknown;
const mod = Module as unknown as { _load: Loader };
const original = mod._load;
/** Modules used as objects (`tar.pack(…)`). */
const DEFERRED = new Set(['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'tar-fs']);
/** Modules that are one function: docker-modem's ssh agent factory, the .dockerignore parser, the hijack duplex (called with `new`). */
const FUNCTIONS = new Set(['./ssh', 'docker-modem/lib/ssh.js', '@balena/dockerignore', './http_duplex', 'docker-modem/lib/http_duplex.js']);

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

/**
 * dockerode's own dependencies, required from the bundle, resolve from dockerode's folder: npm
 * may have given dockerode a copy of its own (tar-fs 2 under dockerode/node_modules, where the
 * package's root has tar-fs 3 for us).
 */
const DOCKERODE_OWN = new Set(['tar-fs', '@balena/dockerignore']);
function inBundle(parent: { filename?: string } | null): parent is { filename: string } {
  const f = parent?.filename ?? '';
  return f.includes('/dist/bundle/') && f.endsWith('.cjs');
}

if (!(globalThis as { __transferctlLazyDeps?: boolean }).__transferctlLazyDeps) {
  (globalThis as { __transferctlLazyDeps?: boolean }).__transferctlLazyDeps = true;
  mod._load = function (request, parent, isMain) {
    if (fromDockerode(parent)) {
      const loadNow = () =>
        DOCKERODE_OWN.has(request) && inBundle(parent)
          ? Module.createRequire(Module.createRequire(parent.filename).resolve('dockerode'))(request)
          : original.call(this, request, parent, isMain);
      if (DEFERRED.has(request)) return lazyObject(() => loadNow() as object);
      if (FUNCTIONS.has(request)) {
        let real: ((...a: unknown[]) => unknown) | undefined;
        const load = () => (real ??= loadNow() as (...a: unknown[]) => unknown);
        // `new Stand(…)` returns what `new Real(…)` made: a constructor that returns an object wins.
        return function stand(this: unknown, ...args: unknown[]) {
          return new.target ? new (load() as unknown as new (...a: unknown[]) => object)(...args) : load()(...args);
        };
      }
    }
    return original.call(this, request, parent, isMain);
  };
}
