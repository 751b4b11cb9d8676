# shellcheck shell=bash
# Shared helpers for infra/brokers.sh: paths, logging, pid files, port probes, apt installs and
# detached launches. Sourced, never run; every broker file (infra/<broker>.sh) builds on these.

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$INFRA_DIR/.." && pwd)"

# Everything a broker writes lives under one folder (gitignored .data/ by default).
DATA_DIR="${SWITCHBOARD_DATA_DIR:-$REPO_ROOT/.data}"
mkdir -p "$DATA_DIR"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"
LOG_DIR="$DATA_DIR/logs"
RUN_DIR="$DATA_DIR/run"
mkdir -p "$LOG_DIR" "$RUN_DIR"

# shellcheck disable=SC2034 # used by brokers.sh, which sources this file
BROKERS=(kafka rabbitmq mosquitto postgres)
# shellcheck disable=SC2034
WAIT_TIMEOUT="${SWITCHBOARD_WAIT_TIMEOUT:-120}"
STOP_TIMEOUT="${SWITCHBOARD_STOP_TIMEOUT:-30}"

log() { printf '%s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

is_root() { [[ "$(id -u)" == 0 ]]; }

# Seconds since an $EPOCHREALTIME reading, one decimal.
elapsed_since() {
  local start="$1" now="$EPOCHREALTIME"
  awk -v a="$start" -v b="$now" 'BEGIN { printf "%.1f", b - a }'
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# ---- pid files --------------------------------------------------------------------------------

pid_file() { printf '%s/%s.pid\n' "$RUN_DIR" "$1"; }

# Prints the pid recorded in FILE if that process is alive and its command line contains
# MARKER (so a recycled pid that now belongs to some other program is not mistaken for ours).
live_pid_from() {
  local file="$1" marker="$2" pid
  [[ -s "$file" ]] || return 1
  pid="$(head -n 1 "$file" | tr -dc '0-9')"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
  printf '%s\n' "$pid"
}

# SIGNAL then wait up to $STOP_TIMEOUT s, then SIGKILL. Returns once the process is gone.
stop_pid() {
  local name="$1" pid="$2" signal="${3:-TERM}" i
  kill -s "$signal" "$pid" 2>/dev/null || return 0
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "$name (pid $pid) ignored SIG$signal for ${STOP_TIMEOUT}s: sending SIGKILL"
  kill -s KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "$name (pid $pid) is still alive after SIGKILL"
  return 1
}

# Runs "$@" in a new session (setsid: no controlling terminal, so it outlives the calling shell
# and is not hit by its SIGHUP), stdin from /dev/null and stdout+stderr appended to LOG. No
# inherited pipe stays open, so a caller that reads our stdout (Node's execFile) is not kept
# waiting. The launched program's own pid (exec keeps it) is written to PIDFILE.
launch_detached() {
  local pidfile="$1" logfile="$2"
  shift 2
  rm -f "$pidfile"
  (
    # Our lock file descriptors must not leak into the broker, or it would hold the lock forever.
    local fd
    for fd in "${HELD_LOCK_FDS[@]}"; do exec {fd}>&-; done
    # shellcheck disable=SC2016 # $$, $1 and $@ are the inner bash's
    setsid bash -c 'echo "$$" >"$1"; shift; exec "$@"' _ "$pidfile" "$@" \
      </dev/null >>"$logfile" 2>&1 &
  )
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.1
  done
  die "could not launch $*"
}

# Serialises one broker's install/start across concurrent callers (test workers run in
# parallel and each may ask for the same broker). The lock is a file descriptor, so it is
# released however this script ends (set -e included).
HELD_LOCK_FDS=()
with_lock() {
  local name="$1" fd
  shift
  exec {fd}>"$RUN_DIR/$name.lock"
  flock -w 600 "$fd" || die "timed out waiting for the $name lock"
  HELD_LOCK_FDS+=("$fd")
  "$@"
  unset 'HELD_LOCK_FDS[-1]'
  exec {fd}>&-
}

log_tail() {
  local file="$1" lines="${2:-40}"
  if [[ -s "$file" ]]; then
    log "---- last $lines lines of $file ----"
    tail -n "$lines" "$file" >&2
    log "----"
  else
    log "(no log at $file)"
  fi
}

# ---- installing -------------------------------------------------------------------------------

apt_missing() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed || printf '%s\n' "$pkg"
  done
}

# apt-get install only the packages that are missing (callers pass every package they need at
# once), running `apt-get update` first only when something is missing.
apt_ensure() {
  local missing
  mapfile -t missing < <(apt_missing "$@")
  ((${#missing[@]})) || return 0
  is_root || die "missing Debian packages (${missing[*]}): run as root, or: sudo apt-get install -y ${missing[*]}"
  with_lock apt _apt_install "${missing[@]}"
}

_apt_install() {
  local missing
  # Another caller may have installed them while we waited for the lock.
  mapfile -t missing < <(apt_missing "$@")
  ((${#missing[@]})) || return 0
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get update"
  apt-get update -qq -o DPkg::Lock::Timeout=300 >&2
  log "apt-get install ${missing[*]}"
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" >&2
}
