// Seed 004's own verb: `build-image NAME` is `image build NAME`.
import type { Command } from '@commander-js/extra-typings';
import { addBuild } from './image.js';

export function define(program: Command): void {
  addBuild(program, 'build-image');
}
