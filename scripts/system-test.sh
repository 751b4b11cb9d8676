#!/usr/bin/env bash
# The clients against the whole running system: starts `pnpm start` (brokers + every service) in
# the background, waits for its "Switchboard is up" line, runs the Python (pytest) and stock
# grpc-js (vitest) client tests and the whole-system flows (e2e/) against localhost:50051-50053,
# then stops `pnpm start` with SIGTERM — which stops the services and the brokers that run
# started — and waits for it to finish.
#
# Reports: clients/python/reports/junit.xml, clients/node-grpc-js/reports/junit-system.xml and
# (with CI=true) e2e/reports/junit.xml, summed by .ci/run. Environment:
# SWITCHBOARD_SYSTEM_UP_TIMEOUT (seconds to wait for the system, default 900: a first run installs
# the brokers); the clients' SWITCHBOARD_* variables pass through.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

up_timeout="${SWITCHBOARD_SYSTEM_UP_TIMEOUT:-900}"
log="$(mktemp -t switchboard-system-XXXXXX.log)"
status=0

# Its own session and process group (setsid), so one signal reaches pnpm and the start script
# under it. Without job control the background child is no group leader, so setsid does not fork:
# the group's id is the child's pid, once setsid has run.
set +m
setsid pnpm start >"$log" 2>&1 </dev/null &
start_pid=$!
pgid="$start_pid"
for _ in $(seq 1 100); do
  [[ "$(ps -o pgid= -p "$start_pid" | tr -d ' ')" == "$start_pid" ]] && break
  sleep 0.05
done
if [[ "$(ps -o pgid= -p "$start_pid" | tr -d ' ')" != "$start_pid" ]]; then
  echo "pnpm start did not get its own process group; stopping it by pid" >&2
  kill -TERM "$start_pid" 2>/dev/null
  exit 1
fi

group_alive() { kill -0 -- "-$pgid" 2>/dev/null; }

stop_system() {
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
  wait "$start_pid" 2>/dev/null || true
}
trap 'stop_system; exit 130' INT TERM

echo "starting the system (pnpm start; log: $log)"
deadline=$((SECONDS + up_timeout))
until grep -q "Switchboard is up" "$log"; do
  if ! kill -0 "$start_pid" 2>/dev/null; then
    echo "pnpm start exited before the system was up; the end of its log:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
  if ((SECONDS > deadline)); then
    echo "the system was not up within ${up_timeout} s; the end of its log:" >&2
    tail -n 40 "$log" >&2
    stop_system
    exit 1
  fi
  sleep 1
done
sed -n '/Switchboard is up/,/try:/p' "$log"
# The suites skip a service that does not answer when run by hand; here that is a failure.
export SWITCHBOARD_SYSTEM_UP=1

echo "=== Python client (pytest) ==="
if bash clients/python/setup.sh; then
  (cd clients/python && .venv/bin/pytest --junitxml=reports/junit.xml) || status=1
else
  echo "could not set up the Python client's virtualenv" >&2
  status=1
fi

echo "=== stock grpc-js client (vitest) ==="
(cd clients/node-grpc-js &&
  pnpm exec vitest run test/system --reporter=verbose --reporter=junit \
    --outputFile.junit=reports/junit-system.xml) || status=1

echo "=== whole-system flows (e2e, vitest) ==="
# CI=true makes vitest write e2e/reports/junit.xml as well.
pnpm --filter @switchboard/e2e test:system || status=1

trap - INT TERM
stop_system
if ((status != 0)); then
  echo "system tests failed; the services' log is in $log" >&2
else
  rm -f "$log"
fi
exit "$status"
