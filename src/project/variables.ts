// Replacement variables in profile values: {project-name}, {project-root}, {user}, {home}
// ({project_name} works too).
// `{{` and `}}` are literal braces; `${…}` is left alone (it belongs to a shell in the image).
import { ArgError } from './flags.js';

export interface Variables {
  'project-name': string;
  'project-root': string;
  user: string;
  home: string;
}

export function replaceVariables(text: string, vars: Variables): string {
  return text.replace(/\{\{|\}\}|(\$?)\{([a-zA-Z][a-zA-Z0-9_-]*)\}/g, (all, dollar: string | undefined, name: string | undefined) => {
    if (all === '{{') return '{';
    if (all === '}}') return '}';
    if (dollar) return all;
    const key = name!.toLowerCase().replaceAll('_', '-') as keyof Variables;
    if (Object.hasOwn(vars, key)) return vars[key];
    throw new ArgError(
      `unknown replacement variable {${name}}`,
      `known variables: ${Object.keys(vars).map((k) => `{${k}}`).join(', ')}; write {{ and }} for literal braces`,
    );
  });
}
