// The container for one visitor, as plain data (unit-tested): limits, no privilege
// escalation, no capabilities, no engine socket, its own base URL and token, the port
// published on 127.0.0.1 only (an engine-chosen port), on the service's ICC-less network.
import { randomBytes } from 'node:crypto';
import type { ContainerCreateSpec } from '../engine/types.js';
import type { ServeSpec } from './config.js';
import { networkName, poolLabels, warmName } from './labels.js';
import { basePath } from './session.js';

export interface NewIdentity {
  route: string;
  token: string;
}

export function newIdentity(): NewIdentity {
  return { route: randomBytes(16).toString('hex'), token: randomBytes(24).toString('hex') };
}

/** The server command: the configured one, the image's Jupyter command, or jupyter-lab. */
export function serverCommand(spec: ServeSpec, imageCmd: string[]): string[] {
  if (spec.jupyter.command) return spec.jupyter.command;
  const first = imageCmd[0] ?? '';
  return [/jupyter/.test(first) ? first : 'jupyter-lab'];
}

export function planPoolContainer(spec: ServeSpec, id: NewIdentity, command: string[]): ContainerCreateSpec {
  const base = basePath(id.route);
  const port = spec.jupyter.port;
  return {
    name: warmName(spec.name, id.route),
    image: spec.image,
    cmd: [
      ...command,
      '--ip=0.0.0.0',
      `--port=${port}`,
      '--no-browser',
      // Jupyter Server 2 (JupyterLab 4, Notebook 7) and the classic notebook 6 read different
      // sections; each ignores the other's.
      `--ServerApp.base_url=${base}`,
      `--NotebookApp.base_url=${base}`,
      ...spec.jupyter.args,
    ],
    env: { ...spec.env, JUPYTER_TOKEN: id.token },
    labels: poolLabels(spec.name, id.route, port),
    user: spec.user,
    ports: { [`${port}/tcp`]: [{ hostIp: '127.0.0.1', hostPort: 0 }] },
    network: networkName(spec.name),
    memoryBytes: spec.limits.memoryBytes,
    nanoCpus: spec.limits.nanoCpus,
    pidsLimit: spec.limits.pids,
    securityOpt: ['no-new-privileges'],
    capDrop: ['ALL'],
    init: true,
    restartPolicy: 'no',
    mounts: [],
  };
}

/** The network: one bridge per service, containers cannot talk to each other (ICC off). */
export function networkOptions(internet: boolean): Record<string, string> {
  return {
    'com.docker.network.bridge.enable_icc': 'false',
    'com.docker.network.bridge.enable_ip_masquerade': internet ? 'true' : 'false',
  };
}
