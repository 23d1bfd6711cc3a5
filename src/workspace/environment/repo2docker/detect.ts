// repo2docker's files in a folder, read with repo2docker's rules: binder/ or .binder/ when that
// folder exists (files at the root are then ignored), else the root; a Dockerfile there
// overrides the rest; then the first of Julia, R, conda, Pipfile and pip decides which other
// files count (environment.yml present → requirements.txt ignored, and so on). Each file found
// gets one line saying what happens to it (init prints them). Reads files, no engine.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseRuntime } from './runtime.js';

export type BinderDir = '' | 'binder' | '.binder';
export type Pack = 'dockerfile' | 'julia' | 'r' | 'conda' | 'pipfile' | 'python' | 'plain';

export interface FoundFile {
  /** Path relative to the workspace folder (binder/apt.txt). */
  path: string;
  used: boolean;
  /** What transferctl does with it, or why it is ignored. */
  action: string;
}

export interface Problem {
  message: string;
  hint: string;
}

export interface Repo2dockerPlan {
  dir: BinderDir;
  pack: Pack;
  /** Paths below are relative to the workspace folder; set only when the file is used. */
  dockerfile?: string;
  apt?: string;
  environment?: string;
  requirements?: string;
  /** requirements.txt names local paths or other files (-e ., -r x.txt): pip runs in a copy of the folder. */
  requirementsLocal?: boolean;
  pipfile?: { path: string; lock: boolean; files: string[] };
  pythonPackage?: 'setup.py' | 'pyproject.toml';
  installR?: string;
  description?: string;
  julia?: string;
  postBuild?: string;
  start?: string;
  /** runtime.txt's python-X[.Y]: checked against the base image's python3. */
  python?: string;
  runtime?: string;
  files: FoundFile[];
  problems: Problem[];
}

/** Every name repo2docker reads (those transferctl follows). */
export const REPO2DOCKER_NAMES = [
  'Dockerfile', 'environment.yml', 'environment.yaml', 'requirements.txt', 'Pipfile', 'Pipfile.lock', 'setup.py', 'pyproject.toml',
  'install.R', 'DESCRIPTION', 'Project.toml', 'JuliaProject.toml', 'apt.txt', 'runtime.txt', 'postBuild', 'start',
] as const;
const ROOT_ONLY = new Set(['setup.py', 'pyproject.toml', 'DESCRIPTION']);

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

/** repo2docker's choice of folder; both binder/ and .binder/ is an error there, and here. */
export function binderDir(root: string): { dir: BinderDir; problem?: Problem } {
  const b = isDir(join(root, 'binder'));
  const dot = isDir(join(root, '.binder'));
  if (b && dot) {
    return {
      dir: '.binder',
      problem: { message: `${root} has both binder/ and .binder/; repo2docker allows only one`, hint: 'merge them into one of the two folders' },
    };
  }
  return { dir: dot ? '.binder' : b ? 'binder' : '' };
}

/** requirements.txt lines that need the folder itself: -e ., ./pkg, /abs, file:, -r/-c other files. */
export function needsLocalFiles(requirements: string): boolean {
  return requirements.split('\n').some((raw) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (/^(-r|-c|--requirement|--constraint)\b/.test(line)) return true;
    const target = line.replace(/^(-e|--editable)(\s+|=)/, '');
    return /^(\.|\/|~|file:)/.test(target);
  });
}

/** A pyproject.toml that declares an installable project ([project] and [build-system]). */
export function isPythonProject(pyproject: string): boolean {
  return /^\s*\[project\]\s*$/m.test(pyproject) && /^\s*\[build-system\]\s*$/m.test(pyproject);
}

export function readRepo2docker(root: string): Repo2dockerPlan {
  const { dir, problem } = binderDir(root);
  const plan: Repo2dockerPlan = { dir, pack: 'plain', files: [], problems: problem ? [problem] : [] };
  const rel = (name: string) => (dir ? `${dir}/${name}` : name);
  const has = (name: string) => isFile(join(root, rel(name)));
  const atRoot = (name: string) => !dir && isFile(join(root, name));
  const text = (path: string) => readFileSync(join(root, path), 'utf8');
  const used = (path: string, action: string) => plan.files.push({ path, used: true, action });
  const ignored = (path: string, why: string) => plan.files.push({ path, used: false, action: `ignored: ${why}` });

  // Files at the root when a binder folder decides.
  if (dir) {
    for (const name of REPO2DOCKER_NAMES) {
      if (isFile(join(root, name))) ignored(name, `${dir}/ exists, so files at the root are not read (repo2docker's rule)`);
    }
  }
  const present = REPO2DOCKER_NAMES.filter((n) => (ROOT_ONLY.has(n) ? atRoot(n) : has(n)));
  if (has('Dockerfile')) {
    plan.pack = 'dockerfile';
    plan.dockerfile = rel('Dockerfile');
    used(plan.dockerfile, 'builds the image (a Dockerfile overrides the other files, as in repo2docker)');
    for (const n of present) if (n !== 'Dockerfile') ignored(rel(n), `${plan.dockerfile} overrides it`);
    return plan;
  }

  const env = has('environment.yml') ? 'environment.yml' : has('environment.yaml') ? 'environment.yaml' : undefined;
  const juliaFile = has('Project.toml') ? 'Project.toml' : has('JuliaProject.toml') ? 'JuliaProject.toml' : undefined;
  const runtime = has('runtime.txt') ? parseRuntime(text(rel('runtime.txt')), rel('runtime.txt')) : undefined;
  if (runtime && !runtime.ok) plan.problems.push({ message: runtime.message, hint: runtime.hint });
  const rRuntime = runtime !== undefined && !runtime.ok && /asks for R/.test(runtime.message);
  if (juliaFile) plan.pack = 'julia';
  else if (rRuntime || atRoot('DESCRIPTION')) plan.pack = 'r';
  else if (env) plan.pack = 'conda';
  else if (has('Pipfile') || has('Pipfile.lock')) plan.pack = 'pipfile';
  else plan.pack = 'python';
  const pipBased = plan.pack === 'julia' || plan.pack === 'r' || plan.pack === 'python';

  if (has('apt.txt')) {
    plan.apt = rel('apt.txt');
    used(plan.apt, 'apt-get installs the Debian packages it lists, first');
  }
  if (runtime?.ok) {
    plan.runtime = rel('runtime.txt');
    plan.python = runtime.runtime.version;
    used(plan.runtime, `checks that the base image's python3 is ${plan.python} (transferctl cannot download Pythons)`);
  } else if (runtime) used(rel('runtime.txt'), 'cannot be honoured (see the problem below)');
  if (env) {
    plan.environment = rel(env);
    used(plan.environment, 'conda/mamba updates the base environment from it (needs a conda base image)');
  }
  if (has('Pipfile') || has('Pipfile.lock')) {
    if (plan.pack === 'pipfile') {
      const lock = has('Pipfile.lock');
      plan.pipfile = { path: rel(lock ? 'Pipfile.lock' : 'Pipfile'), lock, files: ['Pipfile', 'Pipfile.lock'].filter(has).map(rel) };
      used(plan.pipfile.path, `pipenv installs ${lock ? 'the locked packages' : 'its packages'} into the image's Python`);
      if (lock && has('Pipfile')) ignored(rel('Pipfile'), 'Pipfile.lock is used instead (repo2docker\'s rule)');
    } else {
      for (const n of ['Pipfile', 'Pipfile.lock']) if (has(n)) ignored(rel(n), `${env ? rel(env) : 'the ' + plan.pack + ' files'} decide instead (repo2docker's rule)`);
    }
  }
  if (has('requirements.txt')) {
    const path = rel('requirements.txt');
    if (pipBased) {
      plan.requirements = path;
      plan.requirementsLocal = needsLocalFiles(text(path));
      used(path, `pip installs it${plan.requirementsLocal ? ' from a copy of the folder (it names local paths or other files)' : ''}`);
    } else ignored(path, `${plan.environment ?? plan.pipfile?.path} is present (repo2docker's rule)`);
  }
  for (const name of ['setup.py', 'pyproject.toml'] as const) {
    if (!atRoot(name)) continue;
    if (name === 'pyproject.toml' && !isPythonProject(text(name))) {
      ignored(name, 'no [project] and [build-system] tables, so there is nothing to install');
    } else if (!pipBased) ignored(name, `${plan.environment ?? plan.pipfile?.path} decides the Python packages (repo2docker's rule)`);
    else if (plan.pythonPackage) ignored(name, `${plan.pythonPackage} installs the folder`);
    else {
      plan.pythonPackage = name;
      used(name, 'pip installs the folder itself as a package (pip install .)');
    }
  }
  if (has('install.R')) {
    if (plan.pack === 'r') {
      plan.installR = rel('install.R');
      used(plan.installR, 'Rscript runs it (R from Debian when the base has none)');
    } else ignored(rel('install.R'), 'repo2docker runs it only with a DESCRIPTION file or runtime.txt r-…');
  }
  if (atRoot('DESCRIPTION')) {
    if (plan.pack === 'r') {
      plan.description = 'DESCRIPTION';
      used('DESCRIPTION', 'installs the folder as an R package (remotes::install_local)');
    } else ignored('DESCRIPTION', `${rel(juliaFile ?? 'Project.toml')} decides (repo2docker's rule)`);
  }
  if (juliaFile) {
    plan.julia = rel(juliaFile);
    used(plan.julia, 'Julia instantiates the project and installs the IJulia kernel (needs Julia in the base image)');
  }
  if (has('postBuild')) {
    plan.postBuild = rel('postBuild');
    used(plan.postBuild, 'runs after the installs, as the notebook user, in a copy of the folder');
  }
  if (has('start')) {
    plan.start = rel('start');
    used(plan.start, 'wraps the notebook command when the container starts (start <command>)');
  }
  return plan;
}

/** Whether any of repo2docker's files is used (otherwise transferctl's plain Jupyter image). */
export function usesAny(plan: Repo2dockerPlan): boolean {
  return plan.files.some((f) => f.used) || plan.problems.length > 0;
}
