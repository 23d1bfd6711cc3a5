// Test-only entry (never shipped): `transferctl save` in the current folder, except that the
// core's onStage callback stops the process at the stage named in argv[2] (it says so on stderr
// and stays until it is killed). save-kill.test.ts SIGKILLs it there. With "hold:STAGE" it
// says "holding at STAGE" and goes on when a line arrives on stdin.
//   node --import tsx test/helpers/save-stopping-at.ts created|copied|committed|hold:created
import { loadWorkspace } from '../../src/config/load.js';
import { withContext } from '../../src/cli/context.js';
import { save, type SaveStage } from '../../src/workspace/save/index.js';

const stopAt = process.argv[2];

async function onStage(stage: SaveStage): Promise<void> {
  if (stopAt === `hold:${stage}`) {
    process.stderr.write(`holding at ${stage}\n`);
    await new Promise((resolve) => process.stdin.once('data', resolve));
    process.stdin.pause();
    return;
  }
  if (stage !== stopAt) return;
  process.stderr.write(`stopped at ${stage}\n`);
  // A timer keeps the process alive (a bare pending promise would let node exit).
  await new Promise(() => setInterval(() => {}, 60_000));
}

const spec = loadWorkspace({ needHostDir: true });
// As `transferctl save` does: the context makes the engine and sweeps what killed runs left.
await withContext({ sweep: true, sweepAtEnd: true }, (ctx) => save(ctx.engine, spec, { onStage, swept: ctx.swept }));
if (!stopAt.startsWith('hold:')) process.stderr.write(`save ended before stage ${stopAt}\n`);
