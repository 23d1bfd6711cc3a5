// What `image build NAME` builds, in order: NAME and the project images it is FROM
// (docker/base first). Plain data from the Dockerfiles and profiles; no engine.
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { UserError } from '../errors.js';
import { imageRef, type Project } from './discover.js';
import { dockerfileFacts, normalizeRef } from './dockerfile-from.js';
import type { Profile } from './profile.js';
import { folderTag } from './profiles.js';
import { versionArgs, type VersionStamp } from './version-stamp.js';

export interface BuildStep {
  folder: string;
  ref: string;
  /** Dockerfile path inside the context (the project root). */
  dockerfile: string;
  buildArgs: Record<string, string>;
  /** Project folders it builds on. */
  dependsOn: string[];
}

/** `<FOLDER>_IMAGE` for every folder, e.g. BASE_IMAGE=myproj-base:alice. */
export function imageArgName(folder: string): string {
  return `${folder.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_IMAGE`;
}

export function projectBuildArgs(project: Project, profiles: Profile[], stamp: VersionStamp): Record<string, string> {
  const args: Record<string, string> = { PROJECT_NAME: project.name, ...versionArgs(stamp) };
  for (const img of project.images) args[imageArgName(img.name)] = imageRef(project, img.name, folderTag(project, profiles, img.name));
  return args;
}

export function planBuild(
  project: Project,
  profiles: Profile[],
  target: string,
  opts: { stamp: VersionStamp; buildArgs?: Record<string, string>; withDependencies?: boolean },
): BuildStep[] {
  const available = projectBuildArgs(project, profiles, opts.stamp);
  const refs = new Map(project.images.map((i) => [normalizeRef(imageRef(project, i.name, folderTag(project, profiles, i.name))), i.name]));
  const steps = new Map<string, BuildStep>();
  const order: BuildStep[] = [];
  const visiting: string[] = [];

  const visit = (folder: string) => {
    if (steps.has(folder)) return;
    if (visiting.includes(folder)) {
      throw new UserError(`the images build on each other in a circle: ${[...visiting.slice(visiting.indexOf(folder)), folder].join(' → ')}`, {
        hint: 'one of these Dockerfiles must start FROM an image outside the project',
      });
    }
    const img = project.images.find((i) => i.name === folder)!;
    const text = readFileSync(img.dockerfile, 'utf8');
    const declared = dockerfileFacts(text).args;
    const buildArgs: Record<string, string> = {};
    for (const name of declared) if (available[name] !== undefined) buildArgs[name] = available[name];
    Object.assign(buildArgs, opts.buildArgs ?? {});
    const facts = dockerfileFacts(text, buildArgs);
    const dependsOn = [...new Set(facts.images.map((r) => refs.get(normalizeRef(r))).filter((f): f is string => !!f && f !== folder))];
    visiting.push(folder);
    if (opts.withDependencies ?? true) for (const d of dependsOn) visit(d);
    visiting.pop();
    const step: BuildStep = {
      folder,
      ref: imageRef(project, folder, folderTag(project, profiles, folder)),
      dockerfile: relative(project.root, img.dockerfile).split(sep).join('/'),
      buildArgs,
      dependsOn,
    };
    steps.set(folder, step);
    order.push(step);
  };
  visit(target);
  return order;
}
