// repo2docker's `start`: a script that wraps the notebook command (`start <command>`). A
// generated image copies it to START_PATH and says so in the START_LABEL label; the container
// plan puts that path in front of the command for any image carrying the label.
import type { Labels } from './engine/types.js';

export const START_LABEL = 'org.transferctl.start';
export const START_PATH = '/usr/local/bin/transferctl-start';

/** The start script an image carries (its label), if any. */
export function startScriptOf(imageLabels: Labels | undefined): string | undefined {
  return imageLabels?.[START_LABEL] || undefined;
}

/** The command wrapped by the start script (an empty command keeps the image's own CMD). */
export function wrapWithStart(command: string[], start: string | undefined): string[] {
  return start && command.length ? [start, ...command] : command;
}
