#!/bin/sh
# Switchboard's MQTT accounts, written into Mosquitto's dynamic-security plugin: one account per
# service with exactly the topics it needs, and "admin" (everything: operators, tests, tools).
# People's accounts are not here: user-service creates them (AuthService.GetMqttCredentials).
#
#   sh accounts.sh        (POSIX sh: runs in infra/, in the docker compose and in the k8s broker)
#
# Idempotent: roles and clients are created if missing and every service password is set again
# from the environment, so changing a password here and re-running applies it. One JSON batch on
# $CONTROL/dynamic-security/v1, and the broker's answer checked ("already exists" is fine).
# Env: MQTT_HOST (127.0.0.1), MQTT_PORT (1883), MQTT_ADMIN_PASSWORD (the one the dynsec file was
# initialised with), MQTT_<SERVICE>_PASSWORD for user-service, image-service, notification-service.
set -eu

host="${MQTT_HOST:-127.0.0.1}"
port="${MQTT_PORT:-1883}"
admin_password="${MQTT_ADMIN_PASSWORD:-switchboard-admin}"
user_service_password="${MQTT_USER_SERVICE_PASSWORD:-user-service-dev-password}"
image_service_password="${MQTT_IMAGE_SERVICE_PASSWORD:-image-service-dev-password}"
notification_service_password="${MQTT_NOTIFICATION_SERVICE_PASSWORD:-notification-service-dev-password}"

for password in "$admin_password" "$user_service_password" "$image_service_password" "$notification_service_password"; do
  case "$password" in
    *'"'* | *'\'* | '') echo "accounts.sh: MQTT passwords must be non-empty, without \" or \\" >&2; exit 2 ;;
  esac
done

acl() { printf '{"command":"addRoleACL","rolename":"%s","acltype":"%s","topic":"%s","allow":true}' "$1" "$2" "$3"; }
role() { printf '{"command":"createRole","rolename":"%s"}' "$1"; }
# A service's client, named like its role: created if missing, then its password and role set again.
service() {
  printf '{"command":"createClient","username":"%s","password":"%s","roles":[{"rolename":"%s"}]},' "$1" "$2" "$1"
  printf '{"command":"modifyClient","username":"%s","password":"%s","roles":[{"rolename":"%s"}]}' "$1" "$2" "$1"
}
presence() { acl "$1" publishClientSend "switchboard/services/$1/status"; }

commands="$(
  printf '{"commands":['
  # "admin" comes from `mosquitto_ctrl dynsec init` with the dynsec topics only: add every topic.
  acl admin publishClientSend '#'; printf ','
  role user-service; printf ','; presence user-service; printf ','
  # user-service manages people's accounts (GetMqttCredentials) through the plugin's control topic.
  acl user-service publishClientSend '$CONTROL/dynamic-security/v1'; printf ','
  acl user-service subscribeLiteral '$CONTROL/dynamic-security/v1/response'; printf ','
  # Receiving it needs its own grant: the default "receive allowed" does not cover $CONTROL topics.
  acl user-service publishClientReceive '$CONTROL/dynamic-security/v1/response'; printf ','
  service user-service "$user_service_password"; printf ','
  role image-service; printf ','; presence image-service; printf ','
  service image-service "$image_service_password"; printf ','
  role notification-service; printf ','; presence notification-service; printf ','
  acl notification-service publishClientSend 'switchboard/users/+/notifications'; printf ','
  service notification-service "$notification_service_password"
  printf ']}'
)"

auth="-h $host -p $port -u admin -P $admin_password"
response="$(mktemp)"
trap 'rm -f "$response"' EXIT
# shellcheck disable=SC2086 # $auth is words on purpose (no blanks in host, port or the checked password)
mosquitto_sub $auth -V 5 -i "switchboard-accounts-$$" -t '$CONTROL/dynamic-security/v1/response' -C 1 -W 10 >"$response" &
listener=$!
sleep 0.3
# shellcheck disable=SC2086
mosquitto_pub $auth -V 5 -t '$CONTROL/dynamic-security/v1' -m "$commands"
wait "$listener" || { echo "accounts.sh: no answer from the dynamic-security plugin at $host:$port (admin password?)" >&2; exit 1; }
failures="$(grep -o '"error":"[^"]*"' "$response" | grep -v 'already exists' || true)"
if [ -n "$failures" ]; then
  echo "accounts.sh: the broker refused: $failures" >&2
  exit 1
fi
echo "MQTT accounts ready: admin, user-service, image-service, notification-service"
