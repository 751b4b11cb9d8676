#!/usr/bin/env bash
# Generates the JAX-WS client from the running gateway's live WSDL and runs its JUnit tests; the
# surefire report is copied to reports/junit<SUFFIX>.xml for the CI summary.
#   bash clients/java-soap/run-tests.sh [SUFFIX]      (SWITCHBOARD_SOAP_URL, default http://localhost:8081)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
suffix="${1:-}"
cd "$here"
mvn -B -q -Dsoap.url="${SWITCHBOARD_SOAP_URL:-http://localhost:8081}" clean test
status=$?
mkdir -p reports
for report in target/surefire-reports/TEST-*.xml; do
  [[ -e "$report" ]] || continue
  name="$(basename "$report" .xml)"
  cp "$report" "reports/junit${suffix}-${name#TEST-}.xml"
done
exit "$status"
