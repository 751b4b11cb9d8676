#!/usr/bin/env bash
# CI stage: the system as `docker compose up` runs it, on a real Docker engine.
#   images seeded (offline stand-ins under the official tags) → `docker compose up --build --wait`
#   → the same client tests as scripts/system-test.sh (Python, zeep SOAP, stock grpc-js, rest-gateway, e2e)
#   against it
#   → Kafka SIGKILLed mid-flow, nothing confirmed lost → `down -v` → the dockerd we started, stopped.
# The images (apps and brokers) are saved to $SWITCHBOARD_IMAGES_DIR for .ci/k8s.sh. Reports: clients/python/
# reports/junit-compose.xml and junit-compose-soap.xml, clients/node-grpc-js/reports/junit-system-compose.xml,
# apps/rest-gateway/reports/junit-system-compose.xml,
# e2e/reports/junit-compose.xml and junit-compose-disruption.xml, compose/reports/junit-checks.xml.
# Environment: SWITCHBOARD_TOOLS (the offline tools; default ../shared/tools, then /work/shared/tools).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools=${SWITCHBOARD_TOOLS:-$root/../shared/tools}
[[ -d $tools ]] || tools=/work/shared/tools
export WORK=${WORK:-/tmp/offline-images-work} # where seed-images.sh keeps dockerd.pid
images_dir=${SWITCHBOARD_IMAGES_DIR:-/tmp/switchboard-images}
compose=(docker compose --project-directory "$root" -p switchboard-ci)
source .ci/phases.sh

status=0
dockerd_was_running=false
docker info >/dev/null 2>&1 && dockerd_was_running=true

cleanup() {
  phase "docker compose down -v"
  "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
  if ! $dockerd_was_running && [[ -f $WORK/dockerd.pid ]]; then
    phase "stop the dockerd this stage started (pid $(cat "$WORK/dockerd.pid"))"
    pid=$(cat "$WORK/dockerd.pid")
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { echo "dockerd $pid did not stop; killing it" >&2; kill -KILL "$pid"; }
    rm -f "$WORK/dockerd.pid"
  fi
  write_checks "$root/compose/reports/junit-checks.xml"
  phases_table
}
trap 'cleanup; exit 130' INT TERM

phase "seed images (Docker 26 + Compose v2; stand-ins for Docker Hub's official images)"
bash "$tools/offline-images/seed-images.sh" || { status=1; cleanup; exit 1; }

phase "build the app images (cold on a fresh machine, cached after)"
"${compose[@]}" build || { status=1; cleanup; exit 1; }
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' 'switchboard/*'

phase "docker compose up --wait (brokers healthy, then every service, then both gateways healthy)"
if ! check "docker compose up --wait: every container healthy" \
  "${compose[@]}" up -d --pull never --wait --wait-timeout 300; then
  "${compose[@]}" ps -a
  "${compose[@]}" logs --tail 50
  status=1
  cleanup
  exit 1
fi
"${compose[@]}" ps --format 'table {{.Service}}\t{{.Status}}\t{{.Ports}}'

# The stack publishes what `pnpm start` does, so the clients' defaults reach it.
export SWITCHBOARD_SYSTEM_UP=1 SWITCHBOARD_MQTT_URL="mqtt://127.0.0.1:${MQTT_PORT:-1883}"
phase "Python client (pytest) against compose"
bash clients/python/setup.sh >/dev/null &&
  (cd clients/python && .venv/bin/pytest -q --junitxml=reports/junit-compose.xml --ignore=tests/test_soap.py) ||
  status=1

phase "soap-gateway: Python zeep client (WSDL, calls, Faults) against compose :8081"
(cd clients/python && .venv/bin/pytest -q --junitxml=reports/junit-compose-soap.xml tests/test_soap.py) || status=1

phase "stock grpc-js client (vitest) against compose"
(cd clients/node-grpc-js && pnpm exec vitest run test/system --reporter=default --reporter=junit \
  --outputFile.junit=reports/junit-system-compose.xml) || status=1

phase "rest-gateway: plain HTTP on :8080 and the README's curl lines (vitest) against compose"
(cd apps/rest-gateway && pnpm exec vitest run test/system --reporter=default --reporter=junit \
  --outputFile.junit=reports/junit-system-compose.xml) || status=1

phase "whole-system flows and the access table across services (e2e) against compose"
(cd e2e && pnpm exec vitest run test/flows.test.ts test/access.test.ts test/person-mqtt.test.ts --reporter=default --reporter=junit \
  --outputFile.junit=reports/junit-compose.xml) || status=1

phase "Kafka SIGKILLed mid-flow: nothing confirmed is lost"
(cd e2e && SWITCHBOARD_DISRUPTION="docker compose kill -s KILL kafka" \
  SWITCHBOARD_DISRUPT="${compose[*]} kill -s KILL kafka" \
  SWITCHBOARD_RECOVER="${compose[*]} up -d --pull never --wait --wait-timeout 180 kafka" \
  pnpm exec vitest run test/disruption.test.ts --reporter=default --reporter=junit \
  --outputFile.junit=reports/junit-compose-disruption.xml) || status=1
"${compose[@]}" ps --format 'table {{.Service}}\t{{.Status}}'

phase "SIGTERM drains: docker compose stop, every service and gateway exits 0 (tini passes the signal on)"
apps=(rest-gateway soap-gateway user-service image-service notification-service)
"${compose[@]}" stop -t 30 "${apps[@]}" # compose stops dependents first: the gateways, then the services
exited_cleanly() {
  local service code
  for service in "${apps[@]}"; do
    code=$(docker inspect -f '{{.State.ExitCode}}' "$("${compose[@]}" ps -a -q "$service")")
    echo "$service exited with $code"
    [[ $code == 0 ]] || return 1
  done
}
check "every service and gateway exits 0 on SIGTERM (docker compose stop)" exited_cleanly || status=1

phase "save the images (apps and brokers) for the Kubernetes stage"
rm -rf "$images_dir" && mkdir -p "$images_dir"
for image in $("${compose[@]}" config --images | sort -u); do
  docker save "$image" -o "$images_dir/$(tr '/:' '__' <<<"$image").tar" || status=1
done
ls -la "$images_dir"

(( status == 0 )) || "${compose[@]}" logs --tail 80
cleanup
trap - INT TERM
exit "$status"
