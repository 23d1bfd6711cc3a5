// Split a docker-style option string into words the way a POSIX shell does (quotes and
// backslashes), without running a shell and without expanding anything ($VAR stays as is).
import { split } from 'shlex';

export class WordsError extends Error {}

export function shellWords(text: string): string[] {
  try {
    return split(text);
  } catch (err) {
    const msg = (err as Error).message;
    if (/quot/i.test(msg)) throw new WordsError('a quote is not closed');
    if (/escap/i.test(msg)) throw new WordsError('a backslash at the end has nothing to escape');
    throw new WordsError(msg);
  }
}
