#!/usr/bin/env bash
# A stand-in for a remote Docker host: a second dockerd in its own network namespace,
# reached through a real sshd on a veth pair. Used by the transfer tests and benchmark.
#
#   scripts/remote-engine.sh up NAME [OCTET]   # prints KEY=VALUE lines (host, key, socket, …)
#   scripts/remote-engine.sh down NAME         # stops sshd and dockerd, removes netns, veth, files
#   scripts/remote-engine.sh prune             # downs every rig whose owner process is gone
#   scripts/remote-engine.sh restart-dockerd NAME   # starts a killed second dockerd again
#
# OWNER_PID (default: the caller's PID) is recorded; `prune` removes rigs a killed test left.
# NAME: up to 10 characters [a-z0-9]. OCTET picks the subnet 10.201.OCTET.0/24 (default 0),
# so several rigs can run at once. The remote's `docker` talks to the second engine through
# sshd's SetEnv DOCKER_HOST=…; the host's engine is never touched. DOCKERD_ARGS (optional)
# adds flags to the second dockerd (the swarm rig passes --insecure-registry).
set -euo pipefail
# shellcheck source=scripts/proc.sh
source "$(dirname "$0")/proc.sh"
cmd=${1:-}; name=${2:-}
if [ "$cmd" = prune ]; then
  for d in /tmp/transferctl-remote/*/; do
    [ -d "$d" ] || continue
    owner_alive "$d/owner" || "$0" down "$(basename "$d")"
  done
  exit 0
fi
[[ $name =~ ^[a-z0-9]{1,10}$ ]] || { echo "usage: $0 up|down NAME [OCTET] | prune  (NAME: 1-10 of [a-z0-9])" >&2; exit 2; }
octet=${3:-0}
dir=/tmp/transferctl-remote/$name
ns=tcr-$name
hv=th$name   # host-side veth (≤15 chars)
rv=tr$name   # namespace-side veth
host_ip=10.201.$octet.1
remote_ip=10.201.$octet.2

down() {
  stop_pid "$dir/sshd.pid" sshd
  stop_pid "$dir/dockerd.pid" dockerd
  # A killed dockerd leaves its containers running (their own namespaces; cgroups v1 and v2
  # paths), then its containerd and shims in the rig's namespace.
  for c in "$dir"/data/containers/*/; do
    [ -d "$c" ] || continue
    id=$(basename "$c")
    for f in /sys/fs/cgroup/pids/docker/"$id"/cgroup.procs /sys/fs/cgroup/system.slice/docker-"$id".scope/cgroup.procs; do
      [ -f "$f" ] && xargs -r kill -9 <"$f" 2>/dev/null || true
    done
  done
  if [ -e "/var/run/netns/$ns" ]; then
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  fi
  # Anything dockerd left mounted under the rig's folder (overlay2, netns files).
  if [ -d "$dir" ]; then
    awk -v d="$dir" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  fi
  ip link del "$hv" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$dir"
}

# The second engine (nsenter, not `ip netns exec`: that remounts /sys and dockerd fails).
# HIDE_PATHS (colon-separated, at `up`): folders the second engine's host must not see, as on a
# real remote host: dockerd then runs in its own mount namespace with an empty tmpfs over each.
start_dockerd() {
  local wrap=()
  if [ -s "$dir/hide" ]; then
    wrap=(unshare --mount --propagation slave sh -c
      'IFS=:; for p in $TC_HIDE; do [ -d "$p" ] && mount -t tmpfs -o size=1m,mode=0755 tc-hidden "$p"; done; unset IFS; exec "$@"' hide)
  fi
  # shellcheck disable=SC2046
  TC_HIDE=$(cat "$dir/hide" 2>/dev/null || true) nsenter --net=/var/run/netns/"$ns" "${wrap[@]}" dockerd \
    --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    -H "unix://$dir/docker.sock" $(cat "$dir/dockerd.args" 2>/dev/null) >>"$dir/dockerd.log" 2>&1 &
  for _ in $(seq 1 120); do
    DOCKER_HOST=unix://$dir/docker.sock docker version --format '{{.Server.Version}}' >/dev/null 2>&1 && break
    sleep 0.25
  done
  DOCKER_HOST=unix://$dir/docker.sock docker version --format '{{.Server.Version}}' >/dev/null || {
    echo "remote dockerd did not start; see $dir/dockerd.log" >&2; tail -20 "$dir/dockerd.log" >&2; exit 1; }
}

up() {
  down
  mkdir -p "$dir" /run/sshd
  chmod 700 "$dir"
  owner_stamp "${OWNER_PID:-$PPID}" >"$dir/owner"
  ip netns add "$ns"
  ip link add "$hv" type veth peer name "$rv"
  ip link set "$rv" netns "$ns"
  ip addr add "$host_ip/24" dev "$hv"
  ip link set "$hv" up
  ip -n "$ns" addr add "$remote_ip/24" dev "$rv"
  ip -n "$ns" link set "$rv" up
  ip -n "$ns" link set lo up

  echo "${DOCKERD_ARGS:-}" >"$dir/dockerd.args"
  printf '%s' "${HIDE_PATHS:-}" >"$dir/hide"
  start_dockerd

  # A real sshd inside the namespace, with its own host key and one authorized test key.
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key" >/dev/null
  ssh-keygen -q -t ed25519 -N '' -f "$dir/id_ed25519" >/dev/null
  cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
  cat >"$dir/sshd_config" <<EOF
ListenAddress $remote_ip
Port 22
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
SetEnv DOCKER_HOST=unix://$dir/docker.sock
EOF
  # A huge open-files limit makes every session start slowly (fds closed one by one).
  ( ulimit -n 4096; nsenter --net=/var/run/netns/"$ns" /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" )
  : >"$dir/known_hosts"
  opts=(-i "$dir/id_ed25519" -o IdentitiesOnly=yes -o UserKnownHostsFile="$dir/known_hosts" -o StrictHostKeyChecking=accept-new -o BatchMode=yes -o ConnectTimeout=5)
  for _ in $(seq 1 40); do
    ssh "${opts[@]}" "root@$remote_ip" true 2>/dev/null && break
    sleep 0.25
  done
  # The remote `docker` must reach the second engine, not the host's.
  got=$(ssh "${opts[@]}" "root@$remote_ip" 'echo $DOCKER_HOST')
  [ "$got" = "unix://$dir/docker.sock" ] || { echo "sshd did not set DOCKER_HOST (got '$got'); see $dir/sshd.log" >&2; exit 1; }

  echo "REMOTE_DIR=$dir"
  echo "REMOTE_HOST=$remote_ip"
  echo "REMOTE_SOCK=$dir/docker.sock"
  echo "REMOTE_KEY=$dir/id_ed25519"
  echo "REMOTE_KNOWN_HOSTS=$dir/known_hosts"
  echo "HOST_VETH=$hv"
  echo "SSH_OPTS=${opts[*]}"
}

case $cmd in
  up) trap 'rc=$?; [ $rc -eq 0 ] || down; exit $rc' EXIT; up ;;
  down) down ;;
  # Start the second dockerd again (after a test killed it), with the flags it had.
  restart-dockerd) start_dockerd ;;
  *) echo "usage: $0 up|down NAME [OCTET] | prune" >&2; exit 2 ;;
esac
