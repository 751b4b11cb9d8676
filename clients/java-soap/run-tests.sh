#!/usr/bin/env bash
# Generates the JAX-WS client from the running gateway's live WSDL and runs its JUnit tests; the
# surefire report is copied to reports/junit<SUFFIX>.xml for the CI summary.
#   bash clients/java-soap/run-tests.sh [SUFFIX]      (SWITCHBOARD_SOAP_URL, default http://localhost:8081;
#   the dev admin from SWITCHBOARD_ADMIN_EMAIL / SWITCHBOARD_ADMIN_PASSWORD, with the contract's defaults)
# An https:// URL is reached over mutual TLS with SWITCHBOARD_CA_FILE, _CERT_FILE and _KEY_FILE (PEM,
# as `pnpm start --tls` prints them): they become a PKCS#12 trust store and key store that every JVM
# of the build (Maven, wsimport, the tests) is given through JAVA_TOOL_OPTIONS.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
suffix="${1:-}"
url="${SWITCHBOARD_SOAP_URL:-http://localhost:8081}"
cd "$here"
if [[ "$url" == https://* ]]; then
  stores="$(mktemp -d -t java-soap-tls-XXXXXX)"
  trap 'rm -rf "$stores"' EXIT
  pass="changeit" # guards nothing: the stores are temporary copies of the dev PEM files
  keytool -importcert -noprompt -alias switchboard-ca -file "${SWITCHBOARD_CA_FILE:?an https URL needs SWITCHBOARD_CA_FILE}" \
    -keystore "$stores/trust.p12" -storetype PKCS12 -storepass "$pass" >/dev/null || exit 1
  tls_options="-Djavax.net.ssl.trustStore=$stores/trust.p12 -Djavax.net.ssl.trustStorePassword=$pass -Djavax.net.ssl.trustStoreType=PKCS12"
  if [[ -n "${SWITCHBOARD_CERT_FILE:-}" ]]; then
    openssl pkcs12 -export -in "$SWITCHBOARD_CERT_FILE" -inkey "${SWITCHBOARD_KEY_FILE:?}" -name switchboard-client \
      -out "$stores/client.p12" -passout "pass:$pass" || exit 1
    tls_options+=" -Djavax.net.ssl.keyStore=$stores/client.p12 -Djavax.net.ssl.keyStorePassword=$pass -Djavax.net.ssl.keyStoreType=PKCS12"
  fi
  export JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:+$JAVA_TOOL_OPTIONS }$tls_options"
fi
mvn -B -q -Dsoap.url="$url" clean test
status=$?
mkdir -p reports
for report in target/surefire-reports/TEST-*.xml; do
  [[ -e "$report" ]] || continue
  name="$(basename "$report" .xml)"
  cp "$report" "reports/junit${suffix}-${name#TEST-}.xml"
done
exit "$status"
