# shellcheck shell=bash
# RabbitMQ (Debian's rabbitmq-server) on 127.0.0.1:5672, management UI/API on 15672.
# Every RABBITMQ_* path points into the data dir and HOME too (the Erlang cookie lives in
# $HOME), so nothing under /etc/rabbitmq or /var/lib/rabbitmq is read or written. We call the
# scripts in /usr/lib/rabbitmq/bin directly: /usr/sbin/rabbitmq-server is a wrapper that
# switches to the rabbitmq user and /var/lib/rabbitmq.

RABBITMQ_PORT=5672
RABBITMQ_MGMT_PORT=15672
RABBITMQ_BIN=/usr/lib/rabbitmq/bin
RABBITMQ_DATA="$DATA_DIR/rabbitmq"
RABBITMQ_LOG="$LOG_DIR/rabbitmq.log"
EPMD_LOG="$LOG_DIR/epmd.log"

rabbitmq_packages() { echo rabbitmq-server; }
rabbitmq_install() { :; }

rabbitmq_pid() { live_pid_from "$(pid_file rabbitmq)" rabbit; }
rabbitmq_port() { echo "$RABBITMQ_PORT"; }
rabbitmq_log() { echo "$RABBITMQ_LOG"; }
rabbitmq_data_dirs() { echo "$RABBITMQ_DATA"; }

# The environment both the server and the CLI tools (rabbitmqctl) need.
RABBITMQ_ENV=(
  HOME="$RABBITMQ_DATA"
  RABBITMQ_NODENAME=rabbit@localhost
  RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  RABBITMQ_NODE_PORT="$RABBITMQ_PORT"
  ERL_EPMD_ADDRESS=127.0.0.1
  RABBITMQ_CONF_ENV_FILE="$RABBITMQ_DATA/rabbitmq-env.conf"
  RABBITMQ_CONFIG_FILE="$RABBITMQ_DATA/rabbitmq.conf"
  RABBITMQ_ADVANCED_CONFIG_FILE="$RABBITMQ_DATA/advanced.config"
  RABBITMQ_ENABLED_PLUGINS_FILE="$RABBITMQ_DATA/enabled_plugins"
  RABBITMQ_MNESIA_BASE="$RABBITMQ_DATA/mnesia"
  RABBITMQ_LOG_BASE="$LOG_DIR/rabbitmq"
  RABBITMQ_LOGS=-
  # Erlang distribution (CLI tools <-> node, port 25672) on loopback too, not on 0.0.0.0.
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
)

rabbitmqctl() { env "${RABBITMQ_ENV[@]}" "$RABBITMQ_BIN/rabbitmqctl" "$@"; }

rabbitmq_write_config() {
  mkdir -p "$RABBITMQ_DATA/mnesia" "$LOG_DIR/rabbitmq"
  : >"$RABBITMQ_DATA/rabbitmq-env.conf"
  # Offline plugin enablement: the node reads this file at boot.
  echo '[rabbitmq_management].' >"$RABBITMQ_DATA/enabled_plugins"
  cat >"$RABBITMQ_DATA/rabbitmq.conf" <<CONF
# Written by infra/rabbitmq.sh at every start: edit that file, not this one.
listeners.tcp.default = 127.0.0.1:$RABBITMQ_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBITMQ_MGMT_PORT
# guest/guest may log in from localhost only (RabbitMQ's default, kept explicit).
loopback_users.guest = true
CONF
}

# epmd (Erlang's port mapper, 4369) is started by us, not by the Erlang VM: the VM would leave
# it running as an orphan daemon we could not identify. Ours runs in the foreground with a pid
# file, so `stop` ends exactly it. If some other epmd already serves 127.0.0.1:4369 we use it
# and leave it alone.
epmd_pid() { live_pid_from "$(pid_file epmd)" epmd; }

epmd_start() {
  epmd_pid >/dev/null && return 0
  port_open 4369 && return 0
  local epmd
  epmd="$(command -v epmd || printf '%s\n' /usr/lib/erlang/erts-*/bin/epmd | tail -n 1)"
  [[ -x "$epmd" ]] || die "rabbitmq: epmd not found (is erlang-base installed?)"
  launch_detached "$(pid_file epmd)" "$EPMD_LOG" env ERL_EPMD_ADDRESS=127.0.0.1 "$epmd" -address 127.0.0.1
  local i
  for ((i = 0; i < 50; i++)); do
    port_open 4369 && return 0
    sleep 0.1
  done
  die "rabbitmq: epmd did not open port 4369 (see $EPMD_LOG)"
}

rabbitmq_start() {
  [[ -x "$RABBITMQ_BIN/rabbitmq-server" ]] || die "rabbitmq: $RABBITMQ_BIN/rabbitmq-server missing"
  rabbitmq_write_config
  epmd_start
  # RABBITMQ_ALLOW_INPUT makes the start script exec the Erlang VM instead of running it as a
  # child, so the pid we record is the broker itself (kill -9 on it really kills RabbitMQ);
  # -noinput keeps the VM from reading the (closed) stdin.
  launch_detached "$(pid_file rabbitmq)" "$RABBITMQ_LOG" \
    env "${RABBITMQ_ENV[@]}" RABBITMQ_ALLOW_INPUT=true RABBITMQ_SERVER_START_ARGS=-noinput \
    "$RABBITMQ_BIN/rabbitmq-server"
}

rabbitmq_ready() {
  port_open "$RABBITMQ_PORT" || return 1
  timeout 30 env "${RABBITMQ_ENV[@]}" "$RABBITMQ_BIN/rabbitmqctl" -q await_startup --timeout 20 \
    >/dev/null 2>&1 || return 1
  port_open "$RABBITMQ_MGMT_PORT"
}

rabbitmq_stop() {
  local pid
  if pid="$(rabbitmq_pid)"; then
    # The VM traps SIGTERM and shuts RabbitMQ down cleanly.
    stop_pid rabbitmq "$pid" TERM
  fi
  # epmd outlives RabbitMQ: stop ours (only ours) by pid.
  if pid="$(epmd_pid)"; then
    stop_pid epmd "$pid" TERM
  fi
  rm -f "$(pid_file epmd)"
}
