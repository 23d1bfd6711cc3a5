// Seed 004's own verb: `publish-image NAME` is `image publish NAME`.
import type { Command } from '@commander-js/extra-typings';
import { addPublish } from './image.js';

export function define(program: Command): void {
  addPublish(program, 'publish-image');
}
