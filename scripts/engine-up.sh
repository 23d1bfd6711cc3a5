#!/usr/bin/env bash
# Make sure a Docker Engine answers. On Debian/Ubuntu as root, install Debian's docker.io
# and start dockerd when none runs. Elsewhere, explain what to do.
set -euo pipefail
sock=${DOCKER_HOST:-unix:///var/run/docker.sock}
answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if answers; then exit 0; fi
if [[ $sock != unix://* ]]; then
  echo "transferctl: no Docker Engine answers at $sock; start it there, or unset DOCKER_HOST." >&2; exit 1
fi
if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
  echo "transferctl: no Docker Engine answers at $sock." >&2
  echo "  Install Docker Engine (https://docs.docker.com/engine/install/) and start it, then run this again." >&2
  exit 1
fi
if ! command -v dockerd >/dev/null; then
  log=/var/log/transferctl-install.log
  echo "transferctl: installing Docker Engine from the OS packages (docker.io; log: $log)…" >&2
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io; } >"$log" 2>&1; then
    tail -20 "$log" >&2
    echo "transferctl: installing docker.io failed; the whole log is $log" >&2
    exit 1
  fi
fi
if ! command -v docker >/dev/null; then
  echo "transferctl: the docker client is missing; install docker.io or docker-ce-cli." >&2; exit 1
fi
echo "transferctl: starting dockerd (log: /var/log/transferctl-dockerd.log)…" >&2
nohup dockerd >/var/log/transferctl-dockerd.log 2>&1 &
for _ in $(seq 1 60); do answers && exit 0; sleep 0.5; done
echo "transferctl: dockerd did not answer within 30 s; see /var/log/transferctl-dockerd.log" >&2
exit 1
