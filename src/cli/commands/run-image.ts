// Seed 004's own verb: `run-image NAME` is `image run NAME`.
import type { Command } from '@commander-js/extra-typings';
import { addRun } from './image.js';

export function define(program: Command): void {
  addRun(program, 'run-image');
}
