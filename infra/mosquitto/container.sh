#!/bin/sh
# Mosquitto in a container (docker compose; the k8s dev overlay runs a copy): the same broker as
# infra/mosquitto.sh — no anonymous clients, accounts in the dynamic-security plugin — on 0.0.0.0:1883.
#   command: ["sh", "/switchboard/container.sh"]   (with accounts.sh beside it)
# Writes the config, creates the plugin's file with the "admin" account on first start, starts
# Mosquitto, writes the service accounts (accounts.sh), marks /tmp/accounts-ready (the healthcheck
# waits for it), then stays in the foreground until Mosquitto exits; SIGTERM is passed on.
# Env: MOSQUITTO_DATA_DIR (/mosquitto/data), MOSQUITTO_PORT (1883), MQTT_ADMIN_PASSWORD and the MQTT_<SERVICE>_PASSWORD variables accounts.sh reads.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
data="${MOSQUITTO_DATA_DIR:-/mosquitto/data}"
port="${MOSQUITTO_PORT:-1883}"
dynsec="$data/dynamic-security.json"
conf="${TMPDIR:-/tmp}/mosquitto.conf"
ready="${TMPDIR:-/tmp}/accounts-ready"
export MQTT_ADMIN_PASSWORD="${MQTT_ADMIN_PASSWORD:-switchboard-admin}"

# Debian puts the plugin under its multiarch dir, the official Alpine image in /usr/lib.
plugin=""
for candidate in /usr/lib/*/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so; do
  [ -f "$candidate" ] && { plugin="$candidate"; break; }
done
[ -n "$plugin" ] || { echo "container.sh: mosquitto_dynamic_security.so not found" >&2; exit 1; }

cat >"$conf" <<CONF
listener $port
allow_anonymous false
plugin $plugin
plugin_opt_config_file $dynsec
persistence true
persistence_location $data/
autosave_interval 1
log_dest stdout
CONF

if [ ! -s "$dynsec" ]; then
  mosquitto_ctrl dynsec init "$dynsec" admin "$MQTT_ADMIN_PASSWORD" >/dev/null
  # Started as root, Mosquitto drops to "mosquitto", which must be able to save the file.
  if [ "$(id -u)" = 0 ] && id mosquitto >/dev/null 2>&1; then chown mosquitto:mosquitto "$dynsec"; fi
fi

rm -f "$ready"
mosquitto -c "$conf" &
broker=$!
trap 'kill -TERM "$broker" 2>/dev/null' TERM INT
until mosquitto_sub -h 127.0.0.1 -p "$port" -u admin -P "$MQTT_ADMIN_PASSWORD" -t switchboard/probe -E -W 2 2>/dev/null; do
  kill -0 "$broker" 2>/dev/null || { wait "$broker"; exit 1; }
  sleep 0.2
done
if ! MQTT_HOST=127.0.0.1 MQTT_PORT="$port" sh "$here/accounts.sh"; then
  kill -TERM "$broker"
  wait "$broker" || true
  exit 1
fi
touch "$ready"
status=0
wait "$broker" || status=$?
# A signal ends the first wait early (status > 128; the trap passed it on): wait for the real exit.
if [ "$status" -gt 128 ]; then
  status=0
  wait "$broker" || status=$?
fi
exit "$status"
