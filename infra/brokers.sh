#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Real brokers and a real database on this machine, without Docker:
#   bash infra/brokers.sh <install|start|wait|status|stop|reset> [kafka rabbitmq mosquitto postgres]
#   bash infra/brokers.sh pid <broker>
#   bash infra/brokers.sh env
# See infra/README.md. Each broker lives in infra/<broker>.sh and provides the same functions:
# <b>_packages <b>_install <b>_start <b>_ready <b>_stop <b>_pid <b>_port <b>_log <b>_data_dirs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=kafka.sh
source "$here/kafka.sh"
# shellcheck source=rabbitmq.sh
source "$here/rabbitmq.sh"
# shellcheck source=mosquitto.sh
source "$here/mosquitto.sh"
# shellcheck source=postgres.sh
source "$here/postgres.sh"

usage() {
  cat >&2 <<'USAGE'
usage: bash infra/brokers.sh <command> [broker ...]
  commands: install | start | wait | status | stop | reset | pid <broker> | env
  brokers:  kafka rabbitmq mosquitto postgres (default: all four)
  env:      SWITCHBOARD_DATA_DIR (default <repo>/.data), SWITCHBOARD_WAIT_TIMEOUT (s, default 120),
            SWITCHBOARD_STOP_TIMEOUT (s, default 30), SWITCHBOARD_KAFKA_HEAP (default -Xms256m -Xmx512m)
USAGE
  exit 2
}

# ---- commands ---------------------------------------------------------------------------------

cmd_install() {
  local b packages=()
  # One apt-get run for every missing package, so `apt-get update` happens at most once.
  for b in "$@"; do
    mapfile -t -O "${#packages[@]}" packages < <("${b}_packages")
  done
  apt_ensure "${packages[@]}"
  for b in "$@"; do "${b}_install"; done
}

cmd_start() {
  cmd_install "$@"
  local b
  for b in "$@"; do with_lock "$b" start_one "$b"; done
}

start_one() {
  local b="$1" pid port
  port="$("${b}_port")"
  if pid="$("${b}_pid")"; then
    echo "$b: already running (pid $pid, port $port)"
    return 0
  fi
  if port_open "$port"; then
    log "$b: port $port is already taken by a process not started from this data dir ($DATA_DIR):"
    ss -ltnp "sport = :$port" >&2 || true
    die "$b: stop that process (a system service? another checkout or SWITCHBOARD_DATA_DIR?) or free port $port"
  fi
  printf '\n==== %s start %s ====\n' "$b" "$(date -Is)" >>"$("${b}_log")"
  "${b}_start"
  pid="$("${b}_pid" || cat "$(pid_file "$b")")"
  echo "$b: started (pid $pid, port $port, log $("${b}_log"))"
}

cmd_wait() {
  local b start pid failed=()
  start="$EPOCHREALTIME"
  local deadline=$((${start%.*} + WAIT_TIMEOUT))
  for b in "$@"; do
    while :; do
      if ! pid="$("${b}_pid")"; then
        log "$b: not running (it exited, or was never started: bash infra/brokers.sh start $b)"
        log_tail "$("${b}_log")"
        failed+=("$b")
        break
      fi
      if "${b}_ready"; then
        echo "$b: ready after $(elapsed_since "$start") s (pid $pid, port $("${b}_port"))"
        break
      fi
      if ((${EPOCHREALTIME%.*} >= deadline)); then
        log "$b: not ready after ${WAIT_TIMEOUT} s (pid $pid, port $("${b}_port"))"
        log_tail "$("${b}_log")"
        failed+=("$b")
        break
      fi
      sleep 0.5
    done
  done
  ((${#failed[@]} == 0)) || die "not ready: ${failed[*]}"
}

cmd_status() {
  local b pid port
  for b in "$@"; do
    port="$("${b}_port")"
    if pid="$("${b}_pid")"; then
      if port_open "$port"; then
        printf '%-10s running  pid=%-8s port=%s\n' "$b" "$pid" "$port"
      else
        printf '%-10s starting pid=%-8s port=%s\n' "$b" "$pid" "$port"
      fi
    elif port_open "$port"; then
      printf '%-10s stopped  pid=%-8s port=%s (taken by another process)\n' "$b" - "$port"
    else
      printf '%-10s stopped  pid=%-8s port=%s\n' "$b" - "$port"
    fi
  done
}

cmd_stop() {
  local b
  for b in "$@"; do with_lock "$b" stop_one "$b"; done
}

stop_one() {
  local b="$1" pid
  if pid="$("${b}_pid")"; then
    "${b}_stop"
    echo "$b: stopped (was pid $pid)"
  else
    "${b}_stop" # still clears leftovers (epmd, orphaned postgres processes)
    echo "$b: not running"
  fi
  rm -f "$(pid_file "$b")"
}

cmd_reset() {
  local b
  # Stop and delete under the broker's lock, so a concurrent `start` cannot slip in between.
  for b in "$@"; do with_lock "$b" reset_one "$b"; done
}

reset_one() {
  local b="$1" dir
  stop_one "$b"
  while read -r dir; do
    [[ -n "$dir" && "$dir" == "$DATA_DIR"/* ]] || die "$b: refusing to delete '$dir' (not under $DATA_DIR)"
    rm -rf -- "$dir"
  done < <("${b}_data_dirs")
  rm -f -- "$("${b}_log")"
  echo "$b: data deleted"
}

cmd_pid() {
  (($# == 1)) || usage
  "${1}_pid" || die "$1 is not running"
}

cmd_env() { cat "$here/brokers.env"; }

# ---- main -------------------------------------------------------------------------------------

(($# >= 1)) || usage
command="$1"
shift
for b in "$@"; do
  [[ " ${BROKERS[*]} " == *" $b "* ]] || { log "unknown broker: $b"; usage; }
done
(($# > 0)) || set -- "${BROKERS[@]}"

case "$command" in
  install) cmd_install "$@" ;;
  start) cmd_start "$@" ;;
  wait) cmd_wait "$@" ;;
  status) cmd_status "$@" ;;
  stop) cmd_stop "$@" ;;
  reset) cmd_reset "$@" ;;
  pid) cmd_pid "$@" ;;
  env) cmd_env ;;
  -h | --help | help) usage ;;
  *)
    log "unknown command: $command"
    usage
    ;;
esac
