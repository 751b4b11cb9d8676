#!/usr/bin/env bash
# The clients against the whole running system, twice:
#   1. plaintext: `pnpm start`; the Python (pytest) and stock grpc-js (vitest) client tests and the
#      whole-system flows (e2e/) against localhost:50051-50053;
#   2. mutual TLS: `pnpm start --tls`; the same client tests and flows with the dev CA and a
#      client certificate (SWITCHBOARD_CA_FILE, _CERT_FILE, _KEY_FILE), every service calling the
#      others over mutual TLS too, and the SOAP clients on https://localhost:8081.
# Each phase starts the system in the background, waits for its "Switchboard is up" line, and
# stops it with SIGTERM — which stops the services and the brokers that run started.
#
# Reports (summed by .ci/run): clients/python/reports/junit.xml and junit-tls.xml,
# clients/node-grpc-js/reports/junit-system.xml and junit-system-tls.xml,
# clients/java-soap/reports/junit-*.xml and junit-tls-*.xml,
# apps/rest-gateway/reports/junit-system.xml, junit-system-tls.xml and junit-fuzz.xml, and (with CI=true)
# e2e/reports/junit.xml and junit-tls.xml. Environment: SWITCHBOARD_SYSTEM_UP_TIMEOUT (seconds to wait for the
# system, default 900: a first run installs the brokers).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

up_timeout="${SWITCHBOARD_SYSTEM_UP_TIMEOUT:-900}"
status=0
pgid=""
logs=()

group_alive() { [[ -n "$pgid" ]] && kill -0 -- "-$pgid" 2>/dev/null; }

stop_system() {
  [[ -n "$pgid" ]] || return 0
  echo "stopping the system (SIGTERM to pnpm start, process group $pgid)"
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for _ in $(seq 1 600); do # the start script waits up to 15 s per service, then stops brokers
    group_alive || break
    sleep 0.1
  done
  if group_alive; then
    echo "pnpm start did not stop within 60 s; killing its process group" >&2
    kill -KILL -- "-$pgid" 2>/dev/null || true
    status=1
  fi
  wait "$pgid" 2>/dev/null || true
  pgid=""
}
trap 'stop_system; exit 130' INT TERM

# start_system [--tls]: `pnpm start` in its own session and process group (setsid), so one signal
# reaches pnpm and the start script under it; returns once it is up, or 1 (having stopped it).
start_system() {
  local log
  log="$(mktemp -t switchboard-system-XXXXXX.log)"
  logs+=("$log")
  echo "starting the system (pnpm start $*; log: $log)"
  # Without job control the background child is no group leader, so setsid does not fork: the
  # group's id is the child's pid, once setsid has run.
  set +m
  setsid pnpm start "$@" >"$log" 2>&1 </dev/null &
  local pid=$!
  for _ in $(seq 1 100); do
    [[ "$(ps -o pgid= -p "$pid" | tr -d ' ')" == "$pid" ]] && break
    sleep 0.05
  done
  if [[ "$(ps -o pgid= -p "$pid" | tr -d ' ')" != "$pid" ]]; then
    echo "pnpm start did not get its own process group; stopping it by pid" >&2
    kill -TERM "$pid" 2>/dev/null
    return 1
  fi
  pgid="$pid"
  local deadline=$((SECONDS + up_timeout))
  until grep -q "Switchboard is up" "$log"; do
    if ! kill -0 "$pid" 2>/dev/null || ((SECONDS > deadline)); then
      echo "the system did not come up; the end of its log:" >&2
      tail -n 40 "$log" >&2
      stop_system
      return 1
    fi
    sleep 1
  done
  sed -n '/Switchboard is up/,/try:/p' "$log"
}

# The suites skip a service that does not answer when run by hand; here that is a failure.
export SWITCHBOARD_SYSTEM_UP=1

if ! bash clients/python/setup.sh; then
  echo "could not set up the Python client's virtualenv" >&2
  exit 1
fi

# client_tests SUFFIX [pytest args...]: the Python and stock grpc-js clients against the running system.
client_tests() {
  local suffix="$1"
  shift
  echo "=== Python client (pytest$suffix) ==="
  (cd clients/python && .venv/bin/pytest --junitxml="reports/junit$suffix.xml" "$@") || status=1
  echo "=== Java JAX-WS SOAP client (maven$suffix) ==="
  bash clients/java-soap/run-tests.sh "$suffix" || status=1
  echo "=== stock grpc-js client (vitest$suffix) ==="
  (cd clients/node-grpc-js &&
    pnpm exec vitest run test/system --reporter=verbose --reporter=junit \
      --outputFile.junit="reports/junit-system$suffix.xml") || status=1
  echo "=== rest-gateway: HTTP(S) on :8080 and the README's curl lines (vitest$suffix) ==="
  (cd apps/rest-gateway &&
    pnpm exec vitest run test/system --reporter=verbose --reporter=junit \
      --outputFile.junit="reports/junit-system$suffix.xml") || status=1
}

echo "##### phase 1: plaintext #####"
if start_system; then
  client_tests ""
  echo "=== whole-system flows (e2e, vitest) ==="
  # CI=true makes vitest write e2e/reports/junit.xml as well.
  pnpm --filter @switchboard/e2e test:system || status=1
  echo "=== rest-gateway: OpenAPI-driven fuzzer (schemathesis) ==="
  bash apps/rest-gateway/fuzz/run.sh || status=1
  stop_system
else
  status=1
fi

echo "##### phase 2: mutual TLS #####"
if start_system --tls; then
  certs="$root/certs/dev"
  # test_tls*.py prove TLS on servers of their own and ran in phase 1.
  export SWITCHBOARD_CA_FILE="$certs/ca.pem" SWITCHBOARD_CERT_FILE="$certs/client.pem" \
    SWITCHBOARD_KEY_FILE="$certs/client-key.pem"
  # soap-gateway serves HTTPS (mutual TLS) under --tls too: zeep and JAX-WS reach it so. So does
  # rest-gateway: its system tests and README curl lines go to https://localhost:8080 with these files.
  export SWITCHBOARD_SOAP_URL="https://localhost:8081"
  client_tests "-tls" --ignore=tests/test_tls.py --ignore=tests/test_tls_services.py
  echo "=== whole-system flows (e2e, vitest-tls) ==="
  pnpm --filter @switchboard/e2e test:system --outputFile.junit=reports/junit-tls.xml || status=1
  unset SWITCHBOARD_CA_FILE SWITCHBOARD_CERT_FILE SWITCHBOARD_KEY_FILE SWITCHBOARD_SOAP_URL
  stop_system
else
  status=1
fi

trap - INT TERM
if ((status != 0)); then
  echo "system tests failed; the services' logs: ${logs[*]}" >&2
else
  rm -f "${logs[@]}"
fi
exit "$status"
