// Which build of the CLI bundle this code runs in: scripts/bundle.mjs replaces
// __TRANSFERCTL_BUILD__ with the stamp it writes to dist/bundle/manifest.json. Running from
// the TypeScript sources (tsx: tests, development) there is none.
declare const __TRANSFERCTL_BUILD__: string | undefined;

export const BUILD_STAMP: string | undefined = typeof __TRANSFERCTL_BUILD__ === 'string' ? __TRANSFERCTL_BUILD__ : undefined;
