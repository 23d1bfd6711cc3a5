// A workspace after loading: every path absolute, every default filled in. Plain data.
import type { TransferConfig } from './schema.js';
import type { Devcontainer } from './devcontainer/types.js';

export type JupyterMode = 'lab' | 'notebook' | 'server' | 'none';

export type GpuRequest = { count: number } | { deviceIds: string[] };

export interface WorkspaceSpec {
  /** Short stable id derived from `identity`. */
  id: string;
  /** The config file's absolute path, or the folder's for a zero-config workspace. */
  identity: string;
  configPath: string | null;
  /** Folder that relative paths resolve from. */
  root: string;
  containerName: string;
  image: {
    name: string;
    /** Absolute path of the user's Dockerfile, or null for transferctl's own. */
    dockerfile: string | null;
    /** Where the Dockerfile came from: named in transfer.json, or found in the folder. */
    dockerfileFrom: 'config' | 'folder' | null;
    context: string;
    base?: string;
    buildArgs: Record<string, string>;
    target?: string;
    pull: boolean;
    /** image.cache-repo: where prebuilt environment images are pulled from and pushed to. */
    cacheRepo?: string;
  };
  volume: {
    hostDir: string;
    mountPoint: string;
    readOnly: boolean;
    /** A named volume on the engine that holds the folder instead (a remote engine whose host
     * cannot see hostDir: `up --from` restored the folder there). */
    engineVolume?: string;
  };
  commit?: { name: string; repo?: string; tag?: string };
  jupyter: { mode: JupyterMode; command?: string[]; port: number; args: string[] };
  publish: { port?: number; address: string };
  env: Record<string, string>;
  sshAgent: boolean;
  gpu?: GpuRequest;
  resources: { memoryBytes?: number; nanoCpus?: number; shmBytes?: number };
  userMapping: boolean;
  /** The folder's devcontainer.json, when it says how the environment is built (no Dockerfile named in transfer.json). */
  devcontainer?: Devcontainer;
  /** The validated file as written (other modules read their own sections from it). */
  raw: TransferConfig;
}
