# shellcheck shell=bash
# Mosquitto (Debian's mosquitto, MQTT 3.1.1 and 5) on 127.0.0.1:1883, with persistence in the data
# dir so persistent sessions and their queued QoS 1/2 messages survive a restart. No anonymous
# clients: accounts live in the dynamic-security plugin (dynamic-security.json in the data dir),
# the services' written by infra/mosquitto/accounts.sh at every start, people's by user-service.

MOSQUITTO_PORT="${SWITCHBOARD_MOSQUITTO_PORT:-1883}"
MOSQUITTO_BIN=/usr/sbin/mosquitto
MOSQUITTO_DATA="$DATA_DIR/mosquitto"
MOSQUITTO_DYNSEC="$MOSQUITTO_DATA/dynamic-security.json"
MOSQUITTO_ADMIN_PASSWORD="${MQTT_ADMIN_PASSWORD:-switchboard-admin}"
MOSQUITTO_LOG="$LOG_DIR/mosquitto.log"

mosquitto_packages() { printf '%s\n' mosquitto mosquitto-clients; }
mosquitto_install() { :; }

mosquitto_pid() { live_pid_from "$(pid_file mosquitto)" mosquitto; }
mosquitto_port() { echo "$MOSQUITTO_PORT"; }
mosquitto_log() { echo "$MOSQUITTO_LOG"; }
mosquitto_data_dirs() { echo "$MOSQUITTO_DATA"; }

mosquitto_write_config() {
  mkdir -p "$MOSQUITTO_DATA"
  # Mosquitto's config format has no quoting: a path with blanks cannot be written in it.
  [[ "$MOSQUITTO_DATA" != *[[:space:]]* ]] || die "mosquitto: the data dir path must not contain spaces"
  {
    echo "# Written by infra/mosquitto.sh at every start: edit that file, not this one."
    echo "listener $MOSQUITTO_PORT 127.0.0.1"
    echo "allow_anonymous false"
    echo "plugin $(mosquitto_dynsec_plugin)"
    echo "plugin_opt_config_file $MOSQUITTO_DYNSEC"
    echo "persistence true"
    echo "persistence_location $MOSQUITTO_DATA/"
    # Save the in-memory store every second (default: 30 min), so a kill -9 loses at most ~1 s
    # of session state instead of everything since the last clean shutdown.
    echo "autosave_interval 1"
    echo "log_dest stdout"
    echo "log_type error"
    echo "log_type warning"
    echo "log_type notice"
    # "information" would log every autosave (each second); connects and disconnects are "notice".
    echo "log_timestamp_format %Y-%m-%dT%H:%M:%S"
    # Started as root, mosquitto would switch to the 'mosquitto' user, which may not be able to
    # write the data dir; 'root' tells it to stay. (Ignored when not started as root.)
    echo "user root"
  } >"$MOSQUITTO_DATA/mosquitto.conf"
}

# The plugin ships with Debian's mosquitto under its multiarch lib dir.
mosquitto_dynsec_plugin() {
  local plugin
  for plugin in /usr/lib/*/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so; do
    [[ -f "$plugin" ]] && { echo "$plugin"; return 0; }
  done
  die "mosquitto: the dynamic-security plugin (mosquitto_dynamic_security.so) is missing"
}

mosquitto_start() {
  [[ -x "$MOSQUITTO_BIN" ]] || die "mosquitto: $MOSQUITTO_BIN missing"
  mosquitto_write_config
  # The first start creates the plugin's file with the "admin" account (its password is kept
  # from then on: change it with mosquitto_ctrl dynsec setClientPassword admin).
  [[ -s "$MOSQUITTO_DYNSEC" ]] ||
    mosquitto_ctrl dynsec init "$MOSQUITTO_DYNSEC" admin "$MOSQUITTO_ADMIN_PASSWORD" >/dev/null
  launch_detached "$(pid_file mosquitto)" "$MOSQUITTO_LOG" "$MOSQUITTO_BIN" -c "$MOSQUITTO_DATA/mosquitto.conf"
  local i
  for ((i = 0; i < 100; i++)); do
    port_open "$MOSQUITTO_PORT" && break
    sleep 0.1
  done
  MQTT_PORT="$MOSQUITTO_PORT" MQTT_ADMIN_PASSWORD="$MOSQUITTO_ADMIN_PASSWORD" \
    sh "$INFRA_DIR/mosquitto/accounts.sh" >>"$MOSQUITTO_LOG" 2>&1 ||
    die "mosquitto: writing the MQTT accounts failed (see $MOSQUITTO_LOG)"
}

# Ready = a real MQTT CONNECT + SUBSCRIBE round trip as admin (-E: exit once subscribed).
mosquitto_ready() {
  port_open "$MOSQUITTO_PORT" || return 1
  timeout 5 mosquitto_sub -h 127.0.0.1 -p "$MOSQUITTO_PORT" -i "switchboard-probe-$$" \
    -u admin -P "$MOSQUITTO_ADMIN_PASSWORD" -t 'switchboard/probe' -E >/dev/null 2>&1
}

mosquitto_stop() {
  local pid
  pid="$(mosquitto_pid)" || return 0
  # SIGTERM: mosquitto writes its persistence file and exits.
  stop_pid mosquitto "$pid" TERM
}
