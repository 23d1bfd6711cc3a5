#!/usr/bin/env bash
# npm run quickstart: everything from a clean clone to a running JupyterLab workspace.
# 1. the project's dependencies, 2. a Docker Engine (installed from the OS packages on
# Debian/Ubuntu as root when none answers), 3. a Jupyter base (made offline from Debian
# packages when no registry answers), 4. `transferctl up` on example/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -t 2 ]; then say() { printf '\033[1mquickstart:\033[0m %s\n' "$*" >&2; }; else say() { printf 'quickstart: %s\n' "$*" >&2; }; fi

if [ ! -d node_modules ]; then
  say "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/tmp/transferctl-npm-ci.log 2>&1 || { tail -20 /tmp/transferctl-npm-ci.log >&2; exit 1; }
fi
if [ ! -f dist/bundle/transferctl.cjs ] || [ -n "$(find src -newer dist/bundle/transferctl.cjs -name '*.ts' -print -quit)" ]; then
  say "building transferctl"; npm run --silent build
fi
bash scripts/engine-up.sh

tc() { node bin/transferctl.js "$@"; }
stacks=$(sed -n "s/^export const STACKS_IMAGE = '\(.*\)';/\1/p" src/workspace/base-image.ts)
offline_flag=()
if docker image inspect "$stacks" >/dev/null 2>&1; then
  say "using $stacks"
elif curl -fsS -m 3 -o /dev/null https://quay.io/v2/ 2>/dev/null || [ "$(curl -s -m 3 -o /dev/null -w '%{http_code}' https://quay.io/v2/ 2>/dev/null)" = 401 ]; then
  say "a registry answers: transferctl will pull $stacks"
else
  offline_flag=(--offline)
  if ! docker image inspect transferctl/jupyter:trixie >/dev/null 2>&1; then
    say "no registry answers: making the offline Jupyter base from Debian packages (once, a few minutes)"
    if ! command -v debootstrap >/dev/null; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; } >/var/log/transferctl-install.log 2>&1 \
          || { tail -20 /var/log/transferctl-install.log >&2; say "installing debootstrap failed; log: /var/log/transferctl-install.log"; exit 1; }
      else
        say "debootstrap is needed: sudo apt-get install debootstrap (then run this again)"; exit 1
      fi
    fi
    tc base create --suite trixie
  fi
fi
say "starting the example workspace (example/); stop it later with: node bin/transferctl.js stop -c example/transfer.json"
# the URL is the last line printed
tc up --config example/transfer.json "${offline_flag[@]}" "$@"
