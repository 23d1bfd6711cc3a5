// What most commands start from: the workspace and a connected engine.
import { loadWorkspace } from '../config/load.js';
import type { WorkspaceSpec } from '../config/types.js';
import { createEngine, type Engine } from '../engine/index.js';

export interface WorkspaceContext {
  spec: WorkspaceSpec;
  engine: Engine;
}

export async function workspaceContext(opts: { config?: string }, need: { hostDir?: boolean } = {}): Promise<WorkspaceContext> {
  const spec = loadWorkspace({ config: opts.config, needHostDir: need.hostDir });
  // No separate ping: the first real call says clearly when no engine answers.
  const engine = createEngine();
  return { spec, engine };
}
