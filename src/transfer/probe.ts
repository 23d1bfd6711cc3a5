// The ssh side of a transfer, in ONE session: a POSIX sh script for the remote `docker` CLI
// that reports what the engine holds, reads one command line from stdin, then (for a load)
// hands the rest of stdin — the tarball — to `docker load`, and reports the image ID.
// `read` in sh takes a pipe byte by byte, so nothing of the tarball is swallowed.
import type { RemoteState } from './remote.js';

const MANAGED = 'org.transferctl.managed';

/** The script; `docker` may be a command with words ("sudo docker"). */
export function sessionScript(docker = 'docker'): string {
  return [
    `info=$(${docker} info --format 'V|{{.ServerVersion}}{{println}}S|{{json .DriverStatus}}') || exit $?`,
    'echo "$info"',
    `ids=$(${docker} images -aq --no-trunc | sort -u)`,
    `[ -z "$ids" ] || ${docker} image inspect --format 'I|{{.Id}}|{{range .RootFS.Layers}}{{.}},{{end}}|{{range .RepoTags}}{{.}},{{end}}|{{if .Config.Labels}}{{index .Config.Labels "${MANAGED}"}}{{end}}' $ids`,
    'echo "E|"',
    // Steps (P: a sized tarball for `docker load`; X: remove images) answer K|status and loop;
    // the other commands end the loop.
    'fin=',
    'while IFS= read -r cmd; do',
    'ref=${cmd#?|}',
    'case "$cmd" in',
    `  P\\|*) head -c "$ref" | ${docker} load; echo "K|$?" ;;`,
    `  X\\|*) ${docker} rmi $ref >/dev/null 2>&1; echo "K|0" ;;`,
    `  L\\|*) ${docker} load || exit 4; fin=1; break ;;`,
    `  T\\|*) id=\${ref%%|*}; ref=\${ref#*|}; ${docker} tag "$id" "$ref" || exit 5; fin=1; break ;;`,
    '  C\\|*) fin=1; break ;;',
    // A save the other way: the image, without the layer files named after it (GNU tar --delete).
    `  S\\|*) id=\${ref%%|*}; names=\${ref#*|}; if [ -n "$names" ]; then ${docker} save "$id" | tar --delete -f - $names || exit 6; else ${docker} save "$id" || exit 6; fi; exit 0 ;;`,
    '  *) exit 0 ;;',
    'esac',
    'done',
    '[ -n "$fin" ] || exit 0',
    `echo "R|$(${docker} image inspect --format '{{.Id}}|{{range .RootFS.Layers}}{{.}},{{end}}' "$ref" 2>/dev/null)"`,
  ].join('\n');
}

/**
 * The command lines the script reads: P|size (that many bytes of tarball follow; answered K|status),
 * X|id id… (answered K|0), then one of L|ref (a tarball follows), T|id|ref, C|ref,
 * S|ref|names (a tarball comes back), Q.
 */
export function sessionCommand(
  cmd: { step: number } | { remove: string[] } | { load: string } | { tag: string; id: string } | { check: string } | { save: string; drop: string[] } | 'quit',
): string {
  if (cmd === 'quit') return 'Q\n';
  if ('step' in cmd) return `P|${cmd.step}\n`;
  if ('remove' in cmd) return `X|${cmd.remove.join(' ')}\n`;
  if ('save' in cmd) return `S|${cmd.save}|${cmd.drop.join(' ')}\n`;
  if ('load' in cmd) return `L|${cmd.load}\n`;
  if ('tag' in cmd) return `T|${cmd.id}|${cmd.tag}\n`;
  return `C|${cmd.check}\n`;
}

const list = (s: string | undefined) => (s ?? '').split(',').filter(Boolean);

/** containerd's image store shows as DriverStatus [["driver-type","io.containerd.snapshotter.v1"]]. */
export function isContainerdStore(driverStatus: unknown): boolean {
  if (!Array.isArray(driverStatus)) return false;
  return driverStatus.some((pair) => Array.isArray(pair) && pair[0] === 'driver-type' && /snapshotter/i.test(String(pair[1])));
}

export function parseProbe(stdout: string): RemoteState {
  const state: RemoteState = { serverVersion: '', containerdStore: false, images: [] };
  const seen = new Set<string>();
  for (const line of stdout.split('\n')) {
    const [kind, ...f] = line.trim().split('|');
    if (kind === 'V') state.serverVersion = f[0] ?? '';
    else if (kind === 'S') {
      try {
        state.containerdStore = isContainerdStore(JSON.parse(f.join('|')));
      } catch {
        state.containerdStore = false;
      }
    } else if (kind === 'I' && f[0] && !seen.has(f[0])) {
      seen.add(f[0]);
      state.images.push({ id: f[0], layers: list(f[1]), tags: list(f[2]), managed: f[3] === 'true' });
    }
  }
  return state;
}

/** After the command: what `docker load` said it loaded, and the image ID reported. */
export function parseOutcome(stdout: string): { loaded: string[]; imageId: string | null; layers?: string[] } {
  const lines = stdout.split('\n').map((l) => l.trim());
  const loaded = lines.map((l) => /^Loaded image(?: ID)?: (.+)$/.exec(l)?.[1]).filter((x): x is string => !!x);
  const r = lines.filter((l) => l.startsWith('R|')).pop();
  const [id, layers] = (r ?? '').slice(2).split('|');
  return { loaded, imageId: id || null, ...(layers ? { layers: list(layers) } : {}) };
}
