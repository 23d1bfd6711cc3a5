// What most commands start from: the workspace and a connected engine — after the janitor has
// removed what a killed run left (commands that sweep at a moment of their own say sweep: false).
import { loadWorkspace } from '../config/load.js';
import type { WorkspaceSpec } from '../config/types.js';
import { createEngine, type Engine } from '../engine/index.js';
import { sweepTemporaries } from '../workspace/janitor.js';

export interface WorkspaceContext {
  spec: WorkspaceSpec;
  engine: Engine;
}

export async function workspaceContext(opts: { config?: string }, need: { hostDir?: boolean; sweep?: boolean } = {}): Promise<WorkspaceContext> {
  const spec = loadWorkspace({ config: opts.config, needHostDir: need.hostDir });
  // No separate ping: the first real call says clearly when no engine answers.
  const engine = createEngine();
  if (need.sweep !== false) await sweepTemporaries(engine).catch(() => {});
  return { spec, engine };
}
