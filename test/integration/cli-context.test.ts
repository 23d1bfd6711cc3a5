// The commands' context (src/cli/context.ts) on a real engine: the sweep of a killed run's
// leftovers starts when a workspace command makes the engine and is over when the command
// returns, without the command waiting for it; a command's run() is a plain function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DEBIAN_IMAGE, requireEngine, requireImage } from '../helpers/engine.js';
import { withContext } from '../../src/cli/context.js';
import { push } from '../../src/cli/commands/push.js';
import { baseLabels, L } from '../../src/labels.js';
import { ownerTag } from '../../src/workspace/save/labels.js';
import { UserError } from '../../src/errors.js';
import type { Engine } from '../../src/engine/index.js';

/** A temporary container as a save killed mid-way leaves it: its owner's pid is gone. */
async function leftover(t: import('node:test').TestContext, engine: Engine): Promise<string> {
  const dead = spawnSync('true').pid!;
  const name = `tc-ctx-leftover-${randomBytes(3).toString('hex')}`;
  const id = await engine.containers.create({
    name,
    image: DEBIAN_IMAGE,
    cmd: ['true'],
    labels: { ...baseLabels('temporary'), [L.temporary]: 'save', [L.ownerPid]: ownerTag(dead) },
  });
  t.after(() => engine.containers.remove(id, { force: true }).catch(() => {}));
  return id;
}

test('a workspace command sweeps a killed run\'s leftovers by the time it returns; others leave them', async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, DEBIAN_IMAGE))) return;
  const id = await leftover(t, engine);

  await withContext({}, async (ctx) => void (await ctx.engine.containers.list()));
  assert.ok(await engine.containers.inspect(id), 'a command that does not sweep leaves it');

  let during: unknown;
  await withContext({ sweep: true }, async (ctx) => {
    during = await ctx.engine.containers.list();
  });
  assert.ok(Array.isArray(during));
  assert.equal(await engine.containers.inspect(id), null, 'swept before the command returned');
});

test("sweep 'later' (up): the leftover stays until the command asks (sweepNow), or is swept when the command ends", async (t) => {
  const engine = await requireEngine(t);
  if (!(await requireImage(t, engine, DEBIAN_IMAGE))) return;
  const first = await leftover(t, engine);
  await withContext({ sweep: 'later' }, async (ctx) => {
    await ctx.engine.containers.list();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(await engine.containers.inspect(first), 'not swept before sweepNow');
    ctx.sweepNow();
    await ctx.swept;
    assert.equal(await engine.containers.inspect(first), null, 'swept once asked');
  });
  const second = await leftover(t, engine);
  await withContext({ sweep: 'later' }, async (ctx) => void (await ctx.engine.containers.list()));
  assert.equal(await engine.containers.inspect(second), null, 'a sweep never asked for runs when the command ends');
});

test('push.run through a context: an image that is not here is a clear error, nothing pushed', async (t) => {
  await requireEngine(t);
  const ref = `127.0.0.1:1/tc-ctx-none-${randomBytes(3).toString('hex')}:1`;
  await assert.rejects(
    withContext({ sweep: true }, (ctx) => push.run({ image: ref, json: true }, ctx)),
    (e: unknown) => e instanceof UserError && e.message === `image ${ref} is not on this engine` && /transferctl save/.test(e.hint ?? ''),
  );
});
