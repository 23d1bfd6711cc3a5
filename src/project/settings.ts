// One profile key's value (run.cfg's docker-style text) applied to a profile; shared by
// run.cfg and transfer.json's string forms.
import {
  parseCmd,
  parseEnvironment,
  parseGpu,
  parseInteractive,
  parseNetwork,
  parsePorts,
  parseTag,
  parseVolumes,
} from './docker-args.js';
import type { Profile, ProfileKey } from './profile.js';
import { replaceVariables, type Variables } from './variables.js';

export interface ProfileContext {
  /** Image folder names in docker/. */
  folders: string[];
  vars: Variables;
  hostEnv?: NodeJS.ProcessEnv;
}

/** Apply one key's value to a profile (shared by run.cfg and transfer.json's string forms). */
export function applySetting(profile: Profile, key: ProfileKey, raw: string, ctx: ProfileContext): void {
  const value = key === 'interactive' ? raw : replaceVariables(raw, ctx.vars);
  const paths = { root: ctx.vars['project-root'], home: ctx.vars.home };
  switch (key) {
    case 'environment':
      Object.assign(profile.env, parseEnvironment(value, ctx.hostEnv));
      break;
    case 'interactive':
      profile.mode = parseInteractive(value);
      break;
    case 'gpu':
      profile.gpu = parseGpu(value, ctx.hostEnv);
      break;
    case 'network':
      profile.network = parseNetwork(value);
      break;
    case 'volumes':
      profile.mounts.push(...parseVolumes(value, paths));
      break;
    case 'ports':
      profile.ports.push(...parsePorts(value));
      break;
    case 'cmd':
      profile.cmd = parseCmd(value);
      break;
    case 'tag':
      profile.tag = parseTag(value);
      break;
    case 'name':
      break;
  }
}
