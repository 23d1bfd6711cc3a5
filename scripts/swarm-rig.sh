#!/usr/bin/env bash
# A two-node Docker Swarm on one machine, for the swarm backend's tests and benchmark:
# this machine's dockerd is the manager (advertised on the host side of a veth), a second
# dockerd in its own network namespace (scripts/remote-engine.sh, with its sshd) the worker,
# and a registry on the veth address that the worker pulls from.
#
#   scripts/swarm-rig.sh up NAME [OCTET]   # prints KEY=VALUE lines (addresses, node IDs, …)
#   scripts/swarm-rig.sh down NAME         # leaves the swarm on both nodes, removes the rest
#   scripts/swarm-rig.sh prune             # downs every rig whose owner process is gone
#
# The host's dockerd is never restarted or reconfigured. It treats only 127.0.0.0/8 as an
# insecure registry, so the registry on the veth address is for the worker (its dockerd gets
# --insecure-registry); the manager already holds the image it pushed under the same name
# (a swarm task pulls first, logs a failed pull, and runs the local image).
# The host is in swarm mode from `up` to `down`: run both under the engine lock
# (flock /tmp/tc-engine.lock), as the tests do. `up` refuses a host that is already in a
# swarm, and `down` leaves only a swarm this rig made (its node ID is recorded).
set -euo pipefail
# shellcheck source=scripts/proc.sh
source "$(dirname "$0")/proc.sh"
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}; name=${2:-}
root=/tmp/transferctl-swarm
if [ "$cmd" = prune ]; then
  for d in "$root"/*/; do
    [ -d "$d" ] || continue
    owner_alive "$d/owner" || "$0" down "$(basename "$d")"
  done
  exit 0
fi
[[ $name =~ ^[a-z0-9]{1,10}$ ]] || { echo "usage: $0 up|down NAME [OCTET] | prune  (NAME: 1-10 of [a-z0-9])" >&2; exit 2; }
octet=${3:-0}
dir=$root/$name
host_ip=10.201.$octet.1
remote_dir=/tmp/transferctl-remote/$name
reg_port=5050

wdocker() { DOCKER_HOST=unix://$remote_dir/docker.sock docker "$@"; }

down() {
  # The worker first (its dockerd may be dead: then there is nothing to leave).
  if [ -S "$remote_dir/docker.sock" ]; then timeout 30 bash -c "DOCKER_HOST=unix://$remote_dir/docker.sock docker swarm leave --force" >/dev/null 2>&1 || true; fi
  if [ -f "$dir/manager-node" ]; then
    mine=$(cat "$dir/manager-node")
    now=$(docker info --format '{{.Swarm.NodeID}}' 2>/dev/null || true)
    if [ -n "$mine" ] && [ "$now" = "$mine" ]; then
      docker swarm leave --force >/dev/null 2>&1 || true
      # Task containers a node leaves behind when it leaves the swarm (none were here before).
      for _ in $(seq 1 50); do
        left=$(docker ps -aq --filter label=com.docker.swarm.node.id="$mine")
        [ -z "$left" ] && break
        # shellcheck disable=SC2086
        docker rm -f $left >/dev/null 2>&1 || true
        sleep 0.2
      done
      # docker_gwbridge outlives the swarm; remove it unless it was there before the rig.
      if [ ! -f "$dir/gwbridge-existed" ]; then
        for _ in $(seq 1 50); do
          docker network inspect docker_gwbridge >/dev/null 2>&1 || break
          docker network rm docker_gwbridge >/dev/null 2>&1 && break
          sleep 0.2
        done
      fi
    fi
  fi
  stop_pid "$dir/registry.pid" docker-registry
  bash "$here/remote-engine.sh" down "$name"
  rm -rf "$dir"
}

up() {
  state=$(docker info --format '{{.Swarm.LocalNodeState}}')
  if [ "$state" != inactive ]; then
    echo "the host's engine is already in a swarm (state: $state); the rig leaves it alone" >&2
    exit 3
  fi
  down
  mkdir -p "$dir/registry"
  owner_stamp "${OWNER_PID:-$PPID}" >"$dir/owner"
  if docker network inspect docker_gwbridge >/dev/null 2>&1; then : >"$dir/gwbridge-existed"; fi

  # The worker: a second dockerd in a namespace (with sshd), told the registry is plain HTTP.
  out=$(OWNER_PID=${OWNER_PID:-$PPID} DOCKERD_ARGS="--insecure-registry $host_ip:$reg_port" bash "$here/remote-engine.sh" up "$name" "$octet")
  remote_ip=$(sed -n 's/^REMOTE_HOST=//p' <<<"$out")

  # The registry on the veth address (reachable from the worker's namespace, not beyond).
  cat >"$dir/registry.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $dir/registry
  delete:
    enabled: true
http:
  addr: $host_ip:$reg_port
EOF
  docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
  echo $! >"$dir/registry.pid"

  # The swarm: the host manages, advertised on the veth; the namespaced engine joins.
  docker swarm init --advertise-addr "$host_ip" --listen-addr "$host_ip:2377" >/dev/null
  docker info --format '{{.Swarm.NodeID}}' >"$dir/manager-node"
  token=$(docker swarm join-token -q worker)
  wdocker swarm join --token "$token" --advertise-addr "$remote_ip" "$host_ip:2377" >/dev/null
  manager=$(cat "$dir/manager-node")
  worker=$(wdocker info --format '{{.Swarm.NodeID}}')
  # Swarm places nothing on a node that is not ready yet: wait for it, and say so if it never is.
  wstate=unknown
  for _ in $(seq 1 300); do
    wstate=$(docker node inspect "$worker" --format '{{.Status.State}}' 2>/dev/null || echo unknown)
    [ "$wstate" = ready ] && break
    sleep 0.2
  done
  [ "$wstate" = ready ] || { echo "the worker node $worker did not become ready within 60 s (state: $wstate)" >&2; exit 1; }
  # Both nodes call themselves "vm": a label tells them apart.
  docker node update --label-add tc-rig=manager "$manager" >/dev/null
  docker node update --label-add tc-rig=worker "$worker" >/dev/null
  registry_up() { (exec 3<>"/dev/tcp/$host_ip/$reg_port") 2>/dev/null; }
  for _ in $(seq 1 100); do registry_up && break; sleep 0.1; done
  registry_up || { echo "the registry did not start; see $dir/registry.log" >&2; exit 1; }

  echo "$out"
  echo "SWARM_DIR=$dir"
  echo "MANAGER_ADDR=$host_ip"
  echo "WORKER_ADDR=$remote_ip"
  echo "MANAGER_NODE=$manager"
  echo "WORKER_NODE=$worker"
  echo "REGISTRY=$host_ip:$reg_port"
}

case $cmd in
  up) trap 'rc=$?; [ $rc -eq 0 ] || [ $rc -eq 3 ] || down; exit $rc' EXIT; up ;;
  down) down ;;
  *) echo "usage: $0 up|down NAME [OCTET] | prune" >&2; exit 2 ;;
esac
