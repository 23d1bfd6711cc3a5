// Namespaced debug logs (transferctl:engine, …) on stderr, apart from user output.
// On with --debug or TRANSFERCTL_DEBUG=1 (or DEBUG=transferctl*).
let enabled =
  process.env.TRANSFERCTL_DEBUG === '1' || /(^|,)transferctl(\*|:)/.test(process.env.DEBUG ?? '');

export function setDebug(on: boolean): void {
  enabled = on;
}

export function isDebug(): boolean {
  return enabled;
}

export function debug(namespace: string): (message: string) => void {
  return (message) => {
    if (enabled) process.stderr.write(`transferctl:${namespace} +${Math.round(performance.now())}ms ${message}\n`);
  };
}
