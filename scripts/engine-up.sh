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
# A machine whose processes were ended (a session stops, CI reuses the disk) keeps dockerd's
# pid file and socket; dockerd then refuses to start ("pid file found"). Remove them when no
# process with that pid is a dockerd.
# shellcheck source=scripts/proc.sh
source "$(dirname "$0")/proc.sh"
pidfile=/var/run/docker.pid
if [[ -f $pidfile ]]; then
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if ! alive_as "$pid" dockerd; then
    echo "transferctl: removing a stale $pidfile (pid ${pid:-?} is not a running dockerd)" >&2
    rm -f "$pidfile" /var/run/docker.sock
  fi
fi
# dockerd reuses a containerd whose recorded pid is alive: the same number held by another
# process after a restart would make it wait on a socket nobody serves.
cpid=/var/run/docker/containerd/containerd.pid
if [[ -f $cpid ]]; then
  pid=$(cat "$cpid" 2>/dev/null || true)
  alive_as "$pid" containerd || rm -f "$cpid"
fi
log=/var/log/transferctl-dockerd.log
echo "transferctl: starting dockerd (log: $log)…" >&2
nohup dockerd >"$log" 2>&1 &
dpid=$!
for _ in $(seq 1 120); do
  answers && exit 0
  if ! kill -0 "$dpid" 2>/dev/null; then break; fi
  sleep 0.5
done
if kill -0 "$dpid" 2>/dev/null; then
  echo "transferctl: dockerd did not answer within 60 s; the last lines of $log:" >&2
else
  echo "transferctl: dockerd stopped at start; the last lines of $log:" >&2
fi
tail -20 "$log" | sed 's/^/  /' >&2
exit 1
