// All run profiles of a project: docker/run.cfg and transfer.json's `profiles`, one model.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, UserError } from '../errors.js';
import { closest } from '../config/suggest.js';
import { findConfig, readConfigDocument } from '../config/load.js';
import type { Project } from './discover.js';
import { emptyProfile, type Profile } from './profile.js';
import { loadRunCfg, type ProfileContext } from './runcfg.js';
import { profilesFromJson } from './json-profiles.js';
import type { Variables } from './variables.js';

export interface ProjectProfiles {
  profiles: Profile[];
  /** transfer.json used, if any. */
  configPath: string | null;
  /** commit.repo of transfer.json (a registry for publish). */
  registry?: string;
}

export function projectVariables(project: Project): Variables {
  return { 'project-name': project.name, 'project-root': project.root, user: project.user, home: project.home };
}

export function loadProfiles(project: Project, opts: { config?: string; cwd?: string; hostEnv?: NodeJS.ProcessEnv } = {}): ProjectProfiles {
  const ctx: ProfileContext = { folders: project.images.map((i) => i.name), vars: projectVariables(project), hostEnv: opts.hostEnv };
  const fromCfg = project.runCfg ? loadRunCfg(project.runCfg, ctx) : [];
  const configPath = opts.config ? findConfig(resolve(opts.cwd ?? process.cwd()), opts.config) : findConfig(project.root);
  let fromJson: Profile[] = [];
  let registry: string | undefined;
  if (configPath && existsSync(configPath)) {
    const { raw, doc } = readConfigDocument(configPath);
    fromJson = profilesFromJson(raw, doc, ctx);
    registry = raw.commit?.repo;
  }
  for (const p of fromJson) {
    const twin = fromCfg.find((c) => c.name === p.name);
    if (twin) {
      const o = p.origin.section!;
      throw new ConfigError(o.file, `profile "${p.name}" is defined twice: here and in ${twin.origin.section!.file}:${twin.origin.section!.line}`, {
        line: o.line,
        column: o.column,
        hint: 'keep one of the two (run.cfg and transfer.json profiles are the same thing in two syntaxes)',
      });
    }
  }
  return { profiles: [...fromCfg, ...fromJson], configPath: configPath ?? null, registry };
}

/** The profile for NAME: a configured one, or a folder's defaults. */
export function findProfile(project: Project, all: Profile[], name: string): Profile {
  const found = all.find((p) => p.name === name);
  if (found) return found;
  if (project.images.some((i) => i.name === name)) return emptyProfile(name, name, false);
  const names = [...new Set([...project.images.map((i) => i.name), ...all.map((p) => p.name)])];
  const guess = closest(name, names);
  throw new UserError(`no image or profile "${name}" in ${join(project.root, 'docker')}${guess ? ` — did you mean "${guess}"?` : ''}`, {
    hint: `available: ${names.join(', ')}`,
    exitCode: 2,
  });
}

/** The tag a folder's image is built with: its own section's `tag`, else the user name. */
export function folderTag(project: Project, all: Profile[], folder: string): string {
  return all.find((p) => p.name === folder && !p.synthetic)?.tag ?? project.user;
}

/** The tag a profile runs: its own `tag`, else its folder's. */
export function profileTag(project: Project, all: Profile[], profile: Profile): string {
  return profile.tag ?? folderTag(project, all, profile.image);
}
