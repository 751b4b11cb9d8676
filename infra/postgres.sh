# shellcheck shell=bash
# PostgreSQL 15 (Debian's postgresql) in the data dir on 127.0.0.1:5432: user postgres, trust
# auth on localhost only, database switchboard. Postgres refuses to run as root, so when these
# scripts run as root the server (and initdb) run as the 'postgres' OS user that the Debian
# package creates, and the data dir is chowned to it. Not Debian's pg_ctlcluster/systemd
# cluster: nothing under /etc/postgresql or /var/lib/postgresql is used.

POSTGRES_PORT=5432
POSTGRES_DB=switchboard
# shellcheck disable=SC2153 # DATA_DIR comes from lib/common.sh
POSTGRES_ROOT="$DATA_DIR/postgres"
PGDATA_DIR="$POSTGRES_ROOT/data"
POSTGRES_LOG="$LOG_DIR/postgres.log"
# Shown in every server process title ("postgres: switchboard: checkpointer"), which is how the
# orphans of a kill -9'd postmaster are recognised.
POSTGRES_CLUSTER_NAME=switchboard

postgres_packages() { echo postgresql; }
postgres_install() { :; }

postgres_bin() {
  local dir others
  # 15 (Debian 12's) first, else the newest installed major version.
  others="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV)"
  for dir in /usr/lib/postgresql/15/bin $others; do
    [[ -x "$dir/postgres" ]] && { echo "$dir"; return 0; }
  done
  die "postgres: no server binaries under /usr/lib/postgresql (is the postgresql package installed?)"
}

# postmaster.pid is Postgres's own pid file (first line: the postmaster's pid); ours covers the
# moment between launch and the postmaster writing it.
postgres_pid() {
  live_pid_from "$PGDATA_DIR/postmaster.pid" "-D $PGDATA_DIR" ||
    live_pid_from "$(pid_file postgres)" "-D $PGDATA_DIR"
}
postgres_port() { echo "$POSTGRES_PORT"; }
postgres_log() { echo "$POSTGRES_LOG"; }
postgres_data_dirs() { echo "$POSTGRES_ROOT"; }

# Prefix that runs a command as the postgres OS user when we are root, as ourselves otherwise.
# setpriv execs (no extra parent process, unlike su/runuser), so a pid stays the server's own.
pg_user_prefix() {
  if is_root; then
    PG_AS=(setpriv --reuid=postgres --regid=postgres --init-groups)
  else
    PG_AS=()
  fi
}

# Runs "$@" as that user, from the data folder (the caller's working directory, e.g. /root,
# may not be readable by the postgres user).
as_pg() {
  local PG_AS
  pg_user_prefix
  (cd "$POSTGRES_ROOT" && exec "${PG_AS[@]}" "$@")
}

postgres_init() {
  local bin
  bin="$(postgres_bin)"
  mkdir -p "$POSTGRES_ROOT"
  if is_root; then
    id postgres >/dev/null 2>&1 || die "postgres: no 'postgres' OS user (is the postgresql package installed?)"
    chown postgres: "$POSTGRES_ROOT"
    chmod 700 "$POSTGRES_ROOT"
    as_pg test -w "$POSTGRES_ROOT" ||
      die "postgres: the 'postgres' user cannot reach $POSTGRES_ROOT (a parent folder is not world-executable?): set SWITCHBOARD_DATA_DIR elsewhere"
  fi
  [[ -f "$PGDATA_DIR/PG_VERSION" ]] && return 0
  log "postgres: initdb $PGDATA_DIR"
  rm -rf "$PGDATA_DIR"
  as_pg "$bin/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust -E UTF8 --locale=C \
    >>"$POSTGRES_LOG" 2>&1 || { log_tail "$POSTGRES_LOG" 20; die "postgres: initdb failed"; }
  echo "include_if_exists = 'switchboard.conf'" >>"$PGDATA_DIR/postgresql.conf"
  # Create the database now, in single-user mode: no server, no race with the first client.
  echo "CREATE DATABASE $POSTGRES_DB;" |
    as_pg "$bin/postgres" --single -D "$PGDATA_DIR" -j postgres >>"$POSTGRES_LOG" 2>&1 ||
    { log_tail "$POSTGRES_LOG" 20; die "postgres: creating database $POSTGRES_DB failed"; }
}

postgres_write_config() {
  # Included from postgresql.conf; rewritten at every start.
  cat >"$PGDATA_DIR/switchboard.conf" <<CONF
# Written by infra/postgres.sh at every start: edit that file, not this one.
listen_addresses = '127.0.0.1'
port = $POSTGRES_PORT
# TCP only: no socket in /var/run/postgresql (system-wide) or in a long data-dir path.
unix_socket_directories = ''
cluster_name = '$POSTGRES_CLUSTER_NAME'
max_connections = 200
logging_collector = off
CONF
  is_root && chown postgres: "$PGDATA_DIR/switchboard.conf"
  return 0
}

# Server processes left behind by a postmaster that was kill -9'd: while one of them still holds
# the old shared memory, a new postmaster refuses to start.
postgres_orphans() {
  local pid ppid
  for pid in $(pgrep -f "^postgres: $POSTGRES_CLUSTER_NAME: " || true); do
    ppid="$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')" || continue
    [[ -n "$ppid" ]] || continue
    tr '\0' ' ' <"/proc/$ppid/cmdline" 2>/dev/null | grep -qF -- "-D $PGDATA_DIR" || echo "$pid"
  done
}

postgres_clear_stale() {
  local i orphans
  for ((i = 0; i < 100; i++)); do
    orphans="$(postgres_orphans)"
    [[ -z "$orphans" ]] && break
    # They exit by themselves once they notice the postmaster is gone; give them 10 s.
    if ((i == 99)); then
      log "postgres: killing orphaned server processes: $orphans"
      # shellcheck disable=SC2086 # one pid per word
      kill -9 $orphans 2>/dev/null || true
      sleep 0.5
    fi
    sleep 0.1
  done
  # A postmaster.pid whose pid is dead, or now belongs to some other program (pid reuse after a
  # kill -9), would make the new postmaster refuse to start or wait: remove it.
  if [[ -f "$PGDATA_DIR/postmaster.pid" ]] && ! postgres_pid >/dev/null; then
    rm -f "$PGDATA_DIR/postmaster.pid"
  fi
}

postgres_start() {
  local bin
  bin="$(postgres_bin)"
  postgres_init
  postgres_write_config
  postgres_clear_stale
  local PG_AS
  pg_user_prefix
  (cd "$POSTGRES_ROOT" &&
    launch_detached "$(pid_file postgres)" "$POSTGRES_LOG" "${PG_AS[@]}" "$bin/postgres" -D "$PGDATA_DIR")
}

postgres_ready() {
  port_open "$POSTGRES_PORT" || return 1
  "$(postgres_bin)/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres -t 3 || return 1
  # The database is created at initdb time; re-create it if someone dropped it.
  local found
  found="$(psql_admin -tAc "SELECT count(*) FROM pg_database WHERE datname = '$POSTGRES_DB'" 2>/dev/null)" ||
    return 1
  if [[ "$found" == 0 ]]; then
    log "postgres: creating database $POSTGRES_DB"
    psql_admin -qc "CREATE DATABASE $POSTGRES_DB" >/dev/null || return 1
  fi
}

psql_admin() {
  "$(postgres_bin)/psql" -X -v ON_ERROR_STOP=1 "postgres://postgres@127.0.0.1:$POSTGRES_PORT/postgres" "$@"
}

postgres_stop() {
  local pid
  if pid="$(postgres_pid)"; then
    # SIGINT = "fast" shutdown: disconnects clients (SIGTERM would wait for them to leave).
    stop_pid postgres "$pid" INT
  fi
  postgres_clear_stale
}
