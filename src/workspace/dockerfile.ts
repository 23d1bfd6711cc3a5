// The Jupyter Dockerfile transferctl writes (`init`) or builds when a folder has none.
// Dependencies first, each from its own file, so editing code never reinstalls them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface DependencyFiles {
  apt: boolean;
  requirements: boolean;
  environment: boolean;
}

export const DEPENDENCY_FILES = { apt: 'apt.txt', requirements: 'requirements.txt', environment: 'environment.yml' } as const;

export function detectDependencies(folder: string): DependencyFiles {
  return {
    apt: existsSync(join(folder, DEPENDENCY_FILES.apt)),
    requirements: existsSync(join(folder, DEPENDENCY_FILES.requirements)),
    environment: existsSync(join(folder, DEPENDENCY_FILES.environment)),
  };
}

export function jupyterDockerfile(deps: DependencyFiles, defaultBase: string): string {
  const lines = [
    '# Jupyter workspace image, written by transferctl.',
    '# The base is chosen by transferctl (build arg BASE_IMAGE): the pinned Jupyter',
    '# docker-stacks image, or its local Debian JupyterLab image when offline.',
    `ARG BASE_IMAGE=${defaultBase}`,
    'FROM ${BASE_IMAGE}',
    'USER root',
  ];
  if (deps.apt) {
    lines.push(
      '',
      '# System packages, one per line in apt.txt (comments with #).',
      'COPY apt.txt /tmp/transferctl/apt.txt',
      'RUN apt-get update \\',
      " && sed -e 's/#.*//' /tmp/transferctl/apt.txt | xargs -r env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\",
      ' && rm -rf /var/lib/apt/lists/*',
    );
  }
  if (deps.environment) {
    lines.push(
      '',
      '# Conda environment (needs a conda/mamba base such as the docker-stacks images).',
      'COPY environment.yml /tmp/transferctl/environment.yml',
      'RUN if command -v mamba >/dev/null; then mamba env update -n base -f /tmp/transferctl/environment.yml && mamba clean -afy; \\',
      '    elif command -v conda >/dev/null; then conda env update -n base -f /tmp/transferctl/environment.yml && conda clean -afy; \\',
      '    else echo "environment.yml needs a conda base image: set image.base in transfer.json" >&2; exit 1; fi',
    );
  }
  if (deps.requirements) {
    lines.push(
      '',
      '# Python packages. In a virtual environment or conda this is a plain install; on a',
      "# Debian system Python (PEP 668, \"externally managed\") the flag lets pip proceed.",
      'COPY requirements.txt /tmp/transferctl/requirements.txt',
      'RUN PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir -r /tmp/transferctl/requirements.txt',
    );
  }
  lines.push('');
  return lines.join('\n');
}

export const STARTER_DOCKERIGNORE = [
  '# Not sent to the image build (your folder is mounted, not copied).',
  '.git',
  '.ipynb_checkpoints',
  '**/__pycache__',
  '*.pyc',
  '.venv',
  'node_modules',
  'data/',
  '*.tar',
  '*.tar.gz',
  '',
].join('\n');
