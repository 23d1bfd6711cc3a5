# Sourced by the rig scripts: who owns a rig, and whether that owner still runs.
# A bare pid is not enough: a machine whose processes were ended keeps /tmp, and after a
# restart the same number can belong to another process. The stamp adds the process's start
# time (field 22 of /proc/PID/stat) and the kernel's boot ID.

# owner_stamp PID: "PID STARTTIME BOOTID" (just PID where /proc has no such process).
owner_stamp() {
  local stat rest
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo "$1"; return; }
  rest=${stat##*) }
  # shellcheck disable=SC2086
  set -- "$1" $rest
  echo "$1 ${21} $(cat /proc/sys/kernel/random/boot_id 2>/dev/null)"
}

# owner_alive FILE: the owner recorded in FILE still runs (a missing or empty file counts as
# alive, so a rig being made is never taken for a leftover).
owner_alive() {
  local rec pid
  rec=$(cat "$1" 2>/dev/null) || return 0
  [ -n "$rec" ] || return 0
  pid=${rec%% *}
  kill -0 "$pid" 2>/dev/null || return 1
  [ "$rec" = "$pid" ] && return 0 # an old bare pid: all we can check
  [ "$(owner_stamp "$pid")" = "$rec" ]
}
