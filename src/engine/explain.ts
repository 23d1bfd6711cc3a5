// The engine failures a user can fix, explained once: GPUs asked for on an engine without the
// NVIDIA container runtime, and a host port taken while a container started. Callers say what
// was asked and their own way out; the facts about the engine are worded here.
import { EngineError } from '../errors.js';
import type { EngineEndpoint } from './types.js';

/** How to give an engine the NVIDIA runtime, then the caller's other way out. */
export function gpuRuntimeHint(orElse: string): string {
  return `install the NVIDIA Container Toolkit there (nvidia-ctk runtime configure --runtime=docker, then restart Docker), or ${orElse}`;
}

export interface NoGpuRuntime {
  /** What asked for GPUs, e.g. "GPUs were requested". */
  asked: string;
  orElse: string;
  /** The engine's own words, when they help. */
  detail?: string;
}

export function noGpuRuntime(endpoint: EngineEndpoint, o: NoGpuRuntime): EngineError {
  const detail = o.detail ? ` (${o.detail})` : '';
  return new EngineError(`${o.asked}, but the engine at ${endpoint.url} has no NVIDIA container runtime${detail}`, { hint: gpuRuntimeHint(o.orElse), kind: 'no-gpu-runtime' });
}

export interface PortTaken {
  /** Which port, e.g. "port 8888 on 127.0.0.1". */
  port: string;
  hint: string;
  detail?: string;
}

/** Free when checked, taken by the time the engine bound it. */
export function portTakenAtStart(o: PortTaken): EngineError {
  const detail = o.detail ? ` (${o.detail})` : '';
  return new EngineError(`${o.port} was taken while the container started${detail}`, { hint: o.hint, kind: 'port-taken' });
}
