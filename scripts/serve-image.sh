#!/usr/bin/env bash
# Build an image that runs this checkout's transferctl (for deploy/serve-stack.yml):
#   scripts/serve-image.sh [TAG] [BASE]     default TAG transferctl-serve:latest
# It carries this machine's node binary, the built bundle (npm run build), bin/, templates/
# and node_modules/ on BASE (default transferctl/debian:bookworm; it needs glibc and libstdc++).
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-transferctl-serve:latest}
base=${2:-transferctl/debian:bookworm}
[ -f dist/bundle/transferctl.cjs ] || npm run --silent build
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/app"
cp "$(command -v node)" "$ctx/node"
cp -aH package.json bin dist templates node_modules "$ctx/app/"  # -H: node_modules may be a symlink (a worktree)
cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $base
COPY node /usr/local/bin/node
COPY app /opt/transferctl
LABEL org.opencontainers.image.title="transferctl serve"
ENTRYPOINT ["/usr/local/bin/node", "/opt/transferctl/bin/transferctl.js"]
DOCKERFILE
docker build -q -t "$tag" "$ctx" >/dev/null
echo "$tag"
