// Image references as text: the repository and tag of a name, and the registry it lives in.
// Pure string work any room may use (no engine, no files).

export const DOCKER_HUB = 'docker.io';

/** "host:5000/a/b:tag" → ["host:5000/a/b", "tag"]; no tag → "latest". Digests stay in the repo part. */
export function splitRef(ref: string): [string, string] {
  if (ref.includes('@')) return [ref, ''];
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return [ref.slice(0, colon), ref.slice(colon + 1)];
  return [ref, 'latest'];
}

/** The registry host of an image reference ("127.0.0.1:5000/a/b:t" → "127.0.0.1:5000"; "ubuntu" → docker.io). */
export function registryHost(ref: string): string {
  const slash = ref.indexOf('/');
  if (slash < 0) return DOCKER_HUB;
  const first = ref.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') return first === 'index.docker.io' ? DOCKER_HUB : first;
  return DOCKER_HUB;
}
