// A .devcontainer/devcontainer.json after reading: variables replaced, paths absolute, every
// value checked for its type. Plain data; where each key was written stays findable (doc).
import type { JsoncDocument } from '../jsonc.js';

/** A lifecycle command in the spec's three forms. */
export type LifecycleCommand =
  /** A string: run by /bin/sh -c. */
  | { kind: 'shell'; command: string }
  /** An array: run as is, no shell. */
  | { kind: 'exec'; argv: string[] }
  /** An object: each entry (either form) runs at the same time as the others. */
  | { kind: 'parallel'; commands: Record<string, { kind: 'shell'; command: string } | { kind: 'exec'; argv: string[] }> };

export type LifecycleStage = 'onCreateCommand' | 'updateContentCommand' | 'postCreateCommand' | 'postStartCommand' | 'postAttachCommand';

/** A mount as written: a `--mount`-style string or an object; index is its place in `mounts`. */
export type DevcontainerMount = { text: string } | { type?: string; source?: string; target: string };

export interface Devcontainer {
  /** Absolute path of the file. */
  file: string;
  /** The parsed document, to put later errors at file:line:column. */
  doc: JsoncDocument;
  /** `image`: run this image (transferctl labels it as the workspace image). */
  image?: string;
  /** `build`: a Dockerfile, its context (absolute), args and target. */
  build?: { dockerfile: string; context: string; args: Record<string, string>; target?: string };
  containerEnv: Record<string, string>;
  /** `${containerEnv:NAME}` is kept here and resolved against the image's environment at start. */
  remoteEnv: Record<string, string>;
  mounts: DevcontainerMount[];
  /** `forwardPorts` (numbers) and `appPort` (numbers or docker -p strings). */
  forwardPorts: number[];
  appPort: (number | string)[];
  runArgs: string[];
  lifecycle: Partial<Record<LifecycleStage, LifecycleCommand>>;
  remoteUser?: string;
  containerUser?: string;
  /** Where Jupyter and the lifecycle commands start: workspaceFolder, else mountTarget. */
  workspaceFolder: string;
  /** `workspaceMount` (a bind mount), when set: the host folder and where it goes. */
  workspaceMount?: { source: string; target: string; readOnly: boolean };
  /** Where the folder is mounted: workspaceMount's target, else /workspaces/<folder>. */
  mountTarget: string;
  /** Feature ids, as written (`ghcr.io/devcontainers/features/node:1`). */
  features: string[];
}
