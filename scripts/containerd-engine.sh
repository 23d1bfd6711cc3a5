#!/usr/bin/env bash
# A Docker Engine with containerd's image store (Docker 29's default) on a machine whose own
# engine is older: trixie's docker.io 26 in a debootstrap root filesystem, run chrooted in its
# own network and mount namespaces with "features": {"containerd-snapshotter": true}.
#
#   scripts/containerd-engine.sh prepare      # the root filesystem, once (cached under $CACHE)
#   scripts/containerd-engine.sh up NAME      # prints ENGINE_SOCK=… (and the engine's version)
#   scripts/containerd-engine.sh down NAME
#
# /tmp is shared with the engine at the same path (bind mounts of workspaces and of save's
# lists folder must resolve there). The root is bind-mounted onto itself: runc makes "/"
# rslave, which fails (EINVAL) when "/" is not a mount point, as in a plain chroot.
set -euo pipefail
# shellcheck source=scripts/proc.sh
source "$(dirname "$0")/proc.sh"
CACHE=${TRANSFERCTL_CACHE:-/var/cache/transferctl}
ROOTFS=$CACHE/docker26-trixie
cmd=${1:-}; name=${2:-}

prepare() {
  [ -x "$ROOTFS/usr/sbin/dockerd" ] && return 0
  tmp=$ROOTFS.partial
  rm -rf "$tmp"; mkdir -p "$tmp"
  if [ -f "$CACHE/debian-trixie.tar" ]; then tar -xf "$CACHE/debian-trixie.tar" -C "$tmp"
  else debootstrap --variant=minbase trixie "$tmp" http://deb.debian.org/debian >/dev/null; fi
  cp /etc/resolv.conf "$tmp/etc/resolv.conf"
  mount -t proc proc "$tmp/proc"
  trap 'umount "$tmp/proc" 2>/dev/null || true' EXIT
  chroot "$tmp" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io iptables ca-certificates >/dev/null'
  umount "$tmp/proc"; trap - EXIT
  mkdir -p "$tmp/etc/docker"
  echo '{"features":{"containerd-snapshotter":true}}' >"$tmp/etc/docker/daemon.json"
  mv "$tmp" "$ROOTFS"
}

[ "$cmd" = prepare ] && { prepare; exit 0; }
[[ $name =~ ^[a-z0-9]{1,10}$ ]] || { echo "usage: $0 prepare | up|down NAME (1-10 of [a-z0-9])" >&2; exit 2; }
dir=/tmp/transferctl-ctrd/$name
ns=tcc-$name

down() {
  stop_pid "$dir/pid" dockerd
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$dir"
}

up() {
  prepare
  down
  mkdir -p "$dir"
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # Its own mount namespace: the mounts below vanish with it. Its state lives under $dir.
  nsenter --net=/var/run/netns/"$ns" unshare -m --propagation private sh -c "
    set -e
    mount --bind '$ROOTFS' '$ROOTFS' && mount --make-private '$ROOTFS'
    mount --rbind /sys '$ROOTFS/sys' && mount --rbind /dev '$ROOTFS/dev' && mount -t proc proc '$ROOTFS/proc'
    mount --rbind /tmp '$ROOTFS/tmp'
    mkdir -p '$ROOTFS/var/lib/docker' && mount --bind '$dir' '$ROOTFS/var/lib/docker'
    exec chroot '$ROOTFS' dockerd -H 'unix://$dir/docker.sock' --data-root /var/lib/docker/data --exec-root /var/lib/docker/exec --pidfile /var/lib/docker/pid" >"$dir.log" 2>&1 &
  for _ in $(seq 1 120); do
    DOCKER_HOST=unix://$dir/docker.sock docker version --format '{{.Server.Version}}' >/dev/null 2>&1 && break
    sleep 0.25
  done
  v=$(DOCKER_HOST=unix://$dir/docker.sock docker info --format '{{.ServerVersion}} {{json .DriverStatus}}') || { echo "dockerd did not start; see $dir.log" >&2; tail -20 "$dir.log" >&2; exit 1; }
  echo "ENGINE_SOCK=$dir/docker.sock"
  echo "ENGINE_INFO=$v"
}

case $cmd in
  up) trap 'rc=$?; [ $rc -eq 0 ] || down; exit $rc' EXIT; up ;;
  down) down; rm -f "$dir.log" ;;
  *) echo "usage: $0 prepare | up|down NAME" >&2; exit 2 ;;
esac
