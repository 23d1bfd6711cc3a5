// The other side of a transfer: an engine reached over ssh (its `docker` CLI) or through
// the Engine API (DOCKER_HOST-style tcp:// or unix:// URL). Callers see only this interface.
import type { Readable } from 'node:stream';

export interface RemoteImage {
  id: string;
  /** diff IDs, bottom first */
  layers: string[];
  tags: string[];
  /** Carries org.transferctl.managed=true (transferctl made it; its tag may move). */
  managed: boolean;
}

export interface RemoteState {
  serverVersion: string;
  /** Images live in containerd's store: a tarball with missing layer files fails to load. */
  containerdStore: boolean;
  images: RemoteImage[];
}

/** One exchange with the other side: what it holds, then one action, then the image ID there. */
export interface RemoteSession {
  state: RemoteState;
  /** `docker load` a tarball of exactly `size` bytes; the session stays open. The loaded image's ID (null: none said). */
  loadStep(tar: Readable, size: number): Promise<string | null>;
  /** Remove these images (best effort); the session stays open. */
  remove(ids: string[]): Promise<void>;
  /** `docker load` the tarball, then report the ID `ref` names there (null: none). */
  load(tar: Readable, ref: string): Promise<{ loaded: string[]; imageId: string | null; layers?: string[] }>;
  /** Tag an image it already has, then report the ID `ref` names there. */
  tag(id: string, ref: string): Promise<string | null>;
  /** Only report the ID `ref` names there. */
  check(ref: string): Promise<string | null>;
  /**
   * `docker save` of `ref` there, without the layer files named in `drop` (paths inside the
   * tarball); the session ends with it. Remotes that cannot leave files out send them all.
   */
  save(ref: string, drop: string[]): Readable;
  /** End the session without doing anything (on errors). */
  close(): void;
}

export interface Remote {
  /** For messages: "root@host (ssh)", "tcp://host:2375". */
  describe: string;
  /** Over ssh this is ONE connection for the whole exchange (each ssh session costs a round trip or more). */
  open(signal?: AbortSignal): Promise<RemoteSession>;
}
