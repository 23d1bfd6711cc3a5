// `image show NAME`: the resolved settings of a profile, what it builds on, and where each
// setting came from. Plain data (no engine).
import type { MountSpec } from '../engine/types.js';
import { imageRef, type Project } from './discover.js';
import { planBuild } from './build-plan.js';
import type { Profile, RunMode } from './profile.js';
import type { PortSpec } from './port-spec.js';
import { findProfile, profileTag } from './profiles.js';
import { versionStamp } from './version-stamp.js';

export interface ProfileView {
  profile: string;
  folder: string;
  synthetic: boolean;
  image: string;
  /** Images built (in order) by `image build`. */
  builds: { folder: string; image: string; dockerfile: string; buildArgs: Record<string, string> }[];
  mode: RunMode;
  environment: Record<string, string>;
  network?: string;
  mounts: MountSpec[];
  ports: PortSpec[];
  cmd?: string[];
  gpu?: Profile['gpu'];
  definedIn?: string;
}

export function showProfile(project: Project, profiles: Profile[], name: string): ProfileView {
  const p = findProfile(project, profiles, name);
  const steps = planBuild(project, profiles, p.image, { stamp: versionStamp(project.root) });
  const o = p.origin.section;
  return {
    profile: p.name,
    folder: p.image,
    synthetic: p.synthetic,
    image: imageRef(project, p.image, profileTag(project, profiles, p)),
    builds: steps.map((s) => ({ folder: s.folder, image: s.ref, dockerfile: s.dockerfile, buildArgs: s.buildArgs })),
    mode: p.mode ?? 'attached',
    environment: p.env,
    network: p.network,
    mounts: p.mounts,
    ports: p.ports,
    cmd: p.cmd,
    gpu: p.gpu,
    definedIn: o ? `${o.file}${o.line ? `:${o.line}` : ''} ${o.where}` : undefined,
  };
}

const MODE_TEXT: Record<RunMode, string> = {
  it: '-it (terminal with input)',
  i: '-i (input, no terminal)',
  t: '-t (terminal, no input)',
  d: '-d (detached)',
  attached: 'foreground (output only)',
};

export function renderProfile(v: ProfileView): string {
  const lines = [`${v.profile}${v.synthetic ? ` (synthetic, runs docker/${v.folder})` : ''}: ${v.image}`];
  if (v.definedIn) lines.push(`  defined in   ${v.definedIn}`);
  lines.push(`  builds       ${v.builds.map((b) => b.image).join(' → ')}`);
  lines.push(`  mode         ${MODE_TEXT[v.mode]}`);
  if (v.cmd) lines.push(`  cmd          ${JSON.stringify(v.cmd)}`);
  if (v.network) lines.push(`  network      ${v.network}`);
  for (const [k, val] of Object.entries(v.environment)) lines.push(`  env          ${k}=${val}`);
  for (const m of v.mounts) lines.push(`  mount        ${m.type} ${m.source ?? '(anonymous)'} → ${m.target}${m.readOnly ? ' (read-only)' : ''}`);
  for (const p of v.ports) lines.push(`  port         ${p.hostIp}:${p.hostPort || '(any)'} → ${p.containerPort}/${p.protocol}`);
  if (v.gpu) {
    const parts = [v.gpu.runtime ? `runtime ${v.gpu.runtime}` : '', v.gpu.request ? `devices ${JSON.stringify(v.gpu.request)}` : '', ...Object.entries(v.gpu.env).map(([k, x]) => `${k}=${x}`)];
    lines.push(`  with --gpu   ${parts.filter(Boolean).join(', ')}`);
  }
  return lines.join('\n');
}
