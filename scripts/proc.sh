# Sourced by engine-up.sh and the rig scripts: whether a recorded pid is still the process it
# was. A machine whose processes were ended keeps its disk, so pid files outlive their
# processes and their numbers get reused.

# alive_as PID NAME: PID is a live process (not a zombie) whose name contains NAME.
alive_as() {
  [[ $1 =~ ^[0-9]+$ ]] && grep -qs "$2" "/proc/$1/comm" && ! grep -qs '^[0-9]* (.*) Z' "/proc/$1/stat"
}

# stop_pid FILE NAME: stop the pid in FILE (TERM, then KILL after 10 s) only while it is NAME.
stop_pid() {
  local pid
  pid=$(cat "$1" 2>/dev/null || true)
  alive_as "$pid" "$2" || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do alive_as "$pid" "$2" || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

# Who owns a rig, and whether that owner still runs. A bare pid is not enough: /tmp is kept
# too, and the same number can belong to another process later. The stamp adds the process's
# start time (field 22 of /proc/PID/stat) and the kernel's boot ID.

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
