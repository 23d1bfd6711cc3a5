// Layer maths: chain IDs (moby layer/layer.go) and the v1 layer IDs Docker 20.10–24 use as
// folder names in `docker save` (image/tarexport/save.go, distribution/metadata v1.CreateID).
import { createHash } from 'node:crypto';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** chain(0) = diff(0); chain(n) = sha256(chain(n-1) + " " + diff(n)), both "sha256:…" strings. */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const [i, diff] of diffIds.entries()) {
    out.push(i === 0 ? diff : `sha256:${sha256(`${out[i - 1]} ${diff}`)}`);
  }
  return out;
}

/** Every chain ID that an engine holding these images (their diff-ID lists) has. */
export function chainSetOf(layerLists: Iterable<readonly string[]>): Set<string> {
  const set = new Set<string>();
  for (const layers of layerLists) for (const c of chainIds(layers)) set.add(c);
  return set;
}

// The v1 config Docker serialises for every layer but the top one (Go's json.Marshal of a
// zero image.V1Image with Created = Unix epoch; keys sorted as Go sorts a map).
const EMPTY_CONTAINER_CONFIG =
  '{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,' +
  '"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,' +
  '"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null}';

/**
 * The folder names (hex, no "sha256:") of every layer but the top one in a legacy-layout
 * `docker save`. The top layer's ID hashes the full image config; find it by its `json`
 * file's parent instead (see layer-select.ts).
 */
export function legacyLayerDirs(diffIds: readonly string[]): string[] {
  const chains = chainIds(diffIds);
  const dirs: string[] = [];
  let parent = '';
  for (let i = 0; i < diffIds.length - 1; i++) {
    const json =
      `{"container_config":${EMPTY_CONTAINER_CONFIG},"created":"1970-01-01T00:00:00Z","layer_id":"${chains[i]}"` +
      (parent ? `,"parent":"${parent}"` : '') +
      '}';
    const id = sha256(json);
    dirs.push(id);
    parent = `sha256:${id}`;
  }
  return dirs;
}
