// transferctl doctor: the engine, base images, disk, GPU runtime, ssh, registry, Podman —
// each line with what to do. Exit 0 when an engine answers, 1 otherwise (the rest is still shown).
import type { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { configOption, jsonOption } from '../shared.js';
import { printJson, say } from '../output.js';
import { diagnose, type DoctorReport, type Level } from '../../doctor/checks.js';
import { realProbes } from '../../doctor/probes.js';
import { localJupyter, STACKS_IMAGE } from '../../workspace/base-image.js';
import { registryHost } from '../../image-ref.js';
import { UserError } from '../../errors.js';

export async function run(input: { cwd?: string; config?: string }): Promise<DoctorReport> {
  return diagnose(realProbes(input), {
    baseImages: [localJupyter('trixie'), localJupyter('bookworm')],
    stacksImage: STACKS_IMAGE,
    stacksRegistry: registryHost(STACKS_IMAGE),
  });
}

const MARK: Record<Level, string> = { ok: pc.green('✔'), warn: pc.yellow('!'), fail: pc.red('✖'), info: pc.dim('·') };

export function render(report: DoctorReport): string {
  const width = Math.max(...report.findings.map((f) => f.check.length));
  return report.findings
    .map((f) => `${MARK[f.level]} ${f.check.padEnd(width)}  ${f.detail}${f.hint ? `\n  ${' '.repeat(width)}  ${pc.dim('→ ' + f.hint)}` : ''}`)
    .join('\n');
}

export function define(program: Command): void {
  program
    .command('doctor')
    .description('check what this machine has for transferctl, and say what to do about what is missing')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (opts) => {
      const report = await run({ config: opts.config });
      if (opts.json) printJson(report);
      else say(render(report));
      // the one exit stays in main.ts: a failing doctor is a quiet UserError with exit code 1
      if (!report.engineAnswers) throw new UserError('no Docker Engine answers (see the engine line above)', { exitCode: 1 });
    });
}
