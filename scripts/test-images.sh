#!/usr/bin/env bash
# Test images, made with transferctl itself and cached: the engine keeps the images, and the
# debootstrap root filesystems stay in /var/cache/transferctl for a rerun on a clean engine.
set -euo pipefail
cd "$(dirname "$0")/.."
have() { docker image inspect "$1" >/dev/null 2>&1; }
if ! command -v debootstrap >/dev/null && { ! have transferctl/jupyter:trixie || ! have transferctl/jupyter:bookworm; }; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
for suite in trixie bookworm; do
  if have "transferctl/jupyter:$suite" && have "transferctl/debian:$suite"; then
    echo "test image transferctl/jupyter:$suite: cached"
  else
    echo "test image transferctl/jupyter:$suite: building (first run only)…"
    node bin/transferctl.js base create --suite "$suite" >/tmp/transferctl-base-$suite.log 2>&1 || { tail -30 /tmp/transferctl-base-$suite.log; exit 1; }
  fi
done
