import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError, EngineError } from '../../../../src/errors.js';
import { watchBuild } from '../../../../src/workspace/environment/build-failure.js';

test("a step's transferctl-error/hint lines become the build's error; other failures pass through", () => {
  const seen: string[] = [];
  const w = watchBuild((e) => seen.push(e.stream ?? ''));
  w.onProgress({ stream: 'Step 3/9 : RUN have=... echo "transferctl-error: x"\n' });
  // As the legacy builder sends a step's stderr: in red.
  w.onProgress({ stream: "\u001b[91mtransferctl-error: runtime.txt asks for python-3.9; the base image's python3 is 3.11\n\u001b[0m" });
  w.onProgress({ stream: '\u001b[91mtransferctl-hint: set image.base\n\u001b[0m' });
  assert.equal(seen.length, 3, 'progress still reaches the printer');
  const engineErr = new EngineError('build failed: returned a non-zero code: 1');
  const err = w.explain(engineErr);
  assert.ok(err instanceof UserError);
  assert.equal((err as UserError).message, "runtime.txt asks for python-3.9; the base image's python3 is 3.11");
  assert.equal((err as UserError).hint, 'set image.base');
  assert.equal(watchBuild().explain(engineErr), engineErr);
});
