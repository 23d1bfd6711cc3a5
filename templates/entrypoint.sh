#!/bin/sh
# transferctl entrypoint: run the command as the host user (TRANSFERCTL_UID/TRANSFERCTL_GID)
# so files written to the mounted folder belong to that user. Only /etc/passwd, /etc/group
# and the container's own home files change; mounted folders are never chowned.
set -e
uid="${TRANSFERCTL_UID:-}"
gid="${TRANSFERCTL_GID:-$uid}"
if [ -z "$uid" ] || [ "$(id -u)" != 0 ]; then exec "$@"; fi
if [ "$uid" = 0 ]; then exec "$@"; fi

name="${TRANSFERCTL_USER:-jovyan}"
if ! awk -F: -v g="$gid" '$3 == g { found = 1 } END { exit !found }' /etc/group; then
  echo "transferctl:x:$gid:" >> /etc/group
fi
existing=$(awk -F: -v u="$uid" '$3 == u { print $1; exit }' /etc/passwd)
if [ -n "$existing" ]; then
  name="$existing"
  home=$(awk -F: -v u="$uid" '$3 == u { print $6; exit }' /etc/passwd)
elif awk -F: -v n="$name" '$1 == n { found = 1 } END { exit !found }' /etc/passwd; then
  home=$(awk -F: -v n="$name" '$1 == n { print $6; exit }' /etc/passwd)
  # Re-number the image's user in place: editing the file, not usermod, which would chown
  # everything under its home — mounted folders included.
  sed -i "s#^$name:\([^:]*\):[0-9]*:[0-9]*:#$name:\1:$uid:$gid:#" /etc/passwd
  if [ -f /etc/shadow ] && ! grep -q "^$name:" /etc/shadow; then echo "$name:*:19000:0:99999:7:::" >> /etc/shadow; fi
else
  home="/home/$name"
  echo "$name:x:$uid:$gid::$home:/bin/sh" >> /etc/passwd
fi
[ -n "$home" ] || home="/home/$name"
mkdir -p "$home"

# Mount points inside the container (never to be chowned).
mounts=$(awk '{ print $5 }' /proc/self/mountinfo)
holds_mount() {
  for m in $mounts; do
    case "$m" in "$1" | "$1"/*) return 0 ;; esac
  done
  return 1
}
chown "$uid:$gid" "$home" 2>/dev/null || true
for entry in "$home"/* "$home"/.[!.]* "$home"/..?*; do
  [ -e "$entry" ] || continue
  if holds_mount "$entry"; then
    chown "$uid:$gid" "$entry" 2>/dev/null || true
    continue
  fi
  chown -R "$uid:$gid" "$entry" 2>/dev/null || true
done

# Shared writable places of the image (conda, our venv) belong to group "users" (100).
groups="$gid"
if awk -F: '$1 == "users" { found = 1 } END { exit !found }' /etc/group; then
  groups="$gid,$(awk -F: '$1 == "users" { print $3 }' /etc/group)"
fi

export HOME="$home" USER="$name" LOGNAME="$name"
if command -v setpriv >/dev/null 2>&1; then
  exec setpriv --reuid="$uid" --regid="$gid" --groups="$groups" -- "$@"
fi
exec chroot --skip-chdir --userspec="$uid:$gid" --groups="$groups" / "$@"
