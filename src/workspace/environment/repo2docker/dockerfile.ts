// The Dockerfile transferctl generates from repo2docker's files (detect.ts says which count).
// Pure: plan in, text out. Installs come first, each from its own copied file, so editing a
// notebook reinstalls nothing; the folder itself is copied in only when a step needs it
// (postBuild, installing the folder as a package, local paths in requirements.txt, Julia).
// A step that cannot go on prints `transferctl-error:`/`transferctl-hint:` lines that
// build-failure.ts turns into a plain error.
import { START_LABEL, START_PATH } from '../../../start-script.js';
import type { Repo2dockerPlan } from './detect.js';

export interface GeneratedDockerfile {
  text: string;
  /** Files (relative to the workspace folder) the Dockerfile copies one by one. */
  files: string[];
  /** Whether it copies the whole folder (then the build context is the folder). */
  needsFolder: boolean;
}

export interface GenerateOptions {
  defaultBase: string;
  /** Where the copy of the folder goes: the mount point, which the live folder covers at run time. */
  repoDir: string;
}

export const STAGE = '/tmp/transferctl';
export const ERROR_MARK = 'transferctl-error:';
export const HINT_MARK = 'transferctl-hint:';

const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
/** A shell fragment that stops the build with a message build-failure.ts reports. */
export function fail(message: string, hint: string): string {
  return `{ echo ${q(`${ERROR_MARK} ${message}`)} >&2; echo ${q(`${HINT_MARK} ${hint}`)} >&2; exit 1; }`;
}
const PIP = 'PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir';
const APT_INSTALL = 'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends';

export function needsFolder(plan: Repo2dockerPlan): boolean {
  return !!(plan.postBuild || plan.pythonPackage || plan.requirementsLocal || plan.description || plan.julia);
}

export function repo2dockerDockerfile(plan: Repo2dockerPlan, opts: GenerateOptions): GeneratedDockerfile {
  const folder = needsFolder(plan);
  const repo = opts.repoDir;
  const files: string[] = [];
  const out: string[] = [
    '# Jupyter workspace image, written by transferctl from repo2docker\'s files.',
    '# The base is chosen by transferctl (build arg BASE_IMAGE); NB_USER runs postBuild.',
    `ARG BASE_IMAGE=${opts.defaultBase}`,
    'FROM ${BASE_IMAGE}',
    'USER root',
    'ARG NB_USER=jovyan',
  ];
  const section = (comment: string, ...lines: string[]) => out.push('', `# ${comment}`, ...lines);
  const copy = (path: string) => {
    files.push(path);
    return `COPY ${path} ${STAGE}/${path}`;
  };

  if (plan.python) {
    const want = plan.python.split('.').slice(0, 2).join('.');
    const pattern = want.includes('.') ? want : `${want}|${want}.*`;
    const hint = `set image.base in transfer.json to an image with Python ${want}, or change or remove ${plan.runtime}`;
    section(
      `${plan.runtime}: the base image's python3 must be ${want} (transferctl cannot download Pythons).`,
      `RUN have="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"; \\`,
      `    case "$have" in ${pattern}) ;; *) echo "${ERROR_MARK} ${plan.runtime} asks for python-${plan.python}; the base image's python3 is \${have:-missing}" >&2; \\`,
      `    echo ${q(`${HINT_MARK} ${hint}`)} >&2; exit 1 ;; esac`,
    );
  }
  if (plan.apt) {
    section(
      'System packages, one per line (comments with #).',
      copy(plan.apt),
      'RUN apt-get update \\',
      ` && sed -e 's/#.*//' ${STAGE}/${plan.apt} | xargs -r env ${APT_INSTALL} \\`,
      ' && rm -rf /var/lib/apt/lists/*',
    );
  }
  if (plan.environment) {
    const f = `${STAGE}/${plan.environment}`;
    section(
      'Conda environment (needs a conda/mamba base such as the docker-stacks images).',
      copy(plan.environment),
      `RUN if command -v mamba >/dev/null; then mamba env update -n base -f ${f} && mamba clean -afy; \\`,
      `    elif command -v conda >/dev/null; then conda env update -n base -f ${f} && conda clean -afy; \\`,
      `    else ${fail(`${plan.environment} needs conda or mamba, and the base image has neither`, 'set image.base in transfer.json to a conda image (such as the Jupyter docker-stacks ones)')}; fi`,
    );
  }
  if (plan.requirements && !plan.requirementsLocal) {
    section(
      'Python packages. On a Debian system Python (PEP 668) the flag lets pip proceed.',
      copy(plan.requirements),
      `RUN ${PIP} -r ${STAGE}/${plan.requirements}`,
    );
  }
  if (plan.pipfile) {
    const dir = plan.dir ? `${STAGE}/${plan.dir}` : STAGE;
    section(
      `pipenv installs ${plan.pipfile.lock ? 'the locked packages' : "the Pipfile's packages"} into the image's Python.`,
      ...plan.pipfile.files.map(copy),
      `RUN ${PIP} pipenv \\`,
      ` && cd ${dir} && PIP_BREAK_SYSTEM_PACKAGES=1 pipenv install ${plan.pipfile.lock ? '--ignore-pipfile' : '--skip-lock'} --system --dev \\`,
      ' && pipenv --clear',
    );
  }
  if (plan.installR || plan.description) {
    section(
      'R from Debian when the base image has none; install.R then runs with Rscript.',
      `RUN command -v Rscript >/dev/null || { apt-get update && ${APT_INSTALL} r-base-core r-cran-remotes && rm -rf /var/lib/apt/lists/*; }`,
    );
    if (plan.installR) out.push(copy(plan.installR), `RUN Rscript --no-save --no-restore --no-init-file --no-environ ${STAGE}/${plan.installR}`);
  }
  if (plan.julia) {
    section(
      `${plan.julia} needs Julia in the base image (transferctl cannot download it).`,
      `RUN command -v julia >/dev/null || ${fail(`${plan.julia} needs Julia, and the base image has none`, 'set image.base in transfer.json to an image with Julia, or add a Dockerfile that installs it')}`,
    );
  }
  if (folder) {
    section(
      `A copy of the folder for the steps that need it (the live folder is mounted over ${repo} at run time).`,
      `RUN id -u "$NB_USER" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --gid users "$NB_USER"`,
      `COPY --chown=\${NB_USER}:users . ${repo}`,
    );
  }
  if (plan.requirements && plan.requirementsLocal) {
    section('Python packages; requirements.txt names local paths, so pip runs in the folder.', `RUN cd ${repo} && ${PIP} -r ${plan.requirements}`);
  }
  if (plan.pythonPackage) section(`${plan.pythonPackage}: the folder installed as a Python package.`, `RUN cd ${repo} && ${PIP} .`);
  if (plan.description) {
    section('DESCRIPTION: the folder installed as an R package.', `RUN cd ${repo} && R --no-save --no-restore --no-init-file --no-environ --quiet -e 'remotes::install_local()'`);
  }
  if (plan.julia) {
    const project = plan.dir ? `${repo}/${plan.dir}` : repo;
    section(
      'The Julia project and its IJulia kernel, for the notebook user.',
      'USER ${NB_USER}',
      `RUN cd ${repo} && JULIA_PROJECT="" julia -e 'using Pkg; Pkg.add("IJulia"); using IJulia; installkernel("Julia", "--project=${project}")' \\`,
      ` && julia --project=${project} -e 'using Pkg; Pkg.instantiate(); Pkg.precompile()'`,
      'USER root',
    );
  }
  if (plan.postBuild) {
    section(
      `${plan.postBuild}: after the installs, as the notebook user, in the copy of the folder.`,
      'USER ${NB_USER}',
      `RUN cd ${repo} && chmod +x ${plan.postBuild} && ./${plan.postBuild}`,
      'USER root',
    );
  }
  if (plan.start) {
    section(
      `${plan.start} wraps the notebook command (transferctl runs: ${START_PATH} <command>).`,
      `COPY ${plan.start} ${START_PATH}`,
      `RUN chmod 755 ${START_PATH}`,
      `LABEL ${START_LABEL}=${START_PATH}`,
    );
    files.push(plan.start);
  }
  out.push('');
  return { text: out.join('\n'), files, needsFolder: folder };
}
