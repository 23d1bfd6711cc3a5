// Labels on the images and containers of a project (besides transferctl's common ones).
import type { Labels } from '../engine/types.js';
import { baseLabels, L, OCI } from '../labels.js';
import type { Project } from './discover.js';

export const P = {
  root: 'org.transferctl.project',
  name: 'org.transferctl.project.name',
  image: 'org.transferctl.project.image',
  profile: 'org.transferctl.project.profile',
} as const;

export function projectImageLabels(project: Project, folder: string, dockerfile: string): Labels {
  return {
    ...baseLabels('project'),
    [P.root]: project.root,
    [P.name]: project.name,
    [P.image]: folder,
    [L.dockerfile]: dockerfile,
    [OCI.title]: `${project.name}-${folder}`,
  };
}

export function projectContainerLabels(project: Project, folder: string, profile: string): Labels {
  return { ...baseLabels('project'), [P.root]: project.root, [P.name]: project.name, [P.image]: folder, [P.profile]: profile };
}
