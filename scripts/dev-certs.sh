#!/usr/bin/env bash
# Makes a local certificate authority and certificates for development and tests:
#   ca.pem / ca-key.pem        the CA every service and client trusts
#   server.pem / server-key.pem  one certificate for every service, to serve and to call each other (localhost, 127.0.0.1 and the
#                                compose/k8s service names as subject alternative names)
#   client.pem / client-key.pem  a client certificate, for mutual TLS (names no service: a person or a tool)
#   <service>-client.pem / <service>-client-key.pem
#                                each service's own client certificate, for its calls to other services under
#                                mutual TLS: URI SAN spiffe://switchboard/<service> names it (the runtime's auth
#                                interceptor admits it for the rpcs that service may call without a token)
# Usage: scripts/dev-certs.sh [OUT_DIR]   (default certs/dev; existing files are kept)
set -euo pipefail
out="${1:-$(cd "$(dirname "$0")/.." && pwd)/certs/dev}"
mkdir -p "$out"
cd "$out"
services="user-service image-service notification-service rest-gateway soap-gateway"
# Kept when present — unless the service certificate predates its use as a client (mutual TLS
# between services needs clientAuth), or a service's own client certificate is missing: then
# everything is made anew.
complete() {
  [[ -f ca.pem && -f server.pem && -f client.pem ]] || return 1
  for service in $services; do [[ -f "$service-client.pem" ]] || return 1; done
  openssl x509 -in server.pem -noout -ext extendedKeyUsage 2>/dev/null | grep -q "Client Authentication"
}
if complete; then
  echo "certificates already in $out"
  exit 0
fi
days=825
names="DNS:localhost,IP:127.0.0.1,IP:::1,DNS:user-service,DNS:image-service,DNS:notification-service,DNS:rest-gateway,DNS:soap-gateway"

openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=Switchboard dev CA" \
  -keyout ca-key.pem -out ca.pem -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

issue() { # name subject extensions
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$1-key.pem" -out "$1.csr" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days "$days" \
    -out "$1.pem" -extfile <(printf '%s\n' "$3") 2>/dev/null
  rm -f "$1.csr"
}
# The services' certificate serves, and also presents itself when one service calls another under
# mutual TLS (user-service → image-service), so it is good for both ends.
issue server "switchboard-server" "subjectAltName=$names
extendedKeyUsage=serverAuth,clientAuth"
issue client "switchboard-client" "extendedKeyUsage=clientAuth"
for service in $services; do
  issue "$service-client" "$service" "subjectAltName=URI:spiffe://switchboard/$service
extendedKeyUsage=clientAuth"
done
rm -f ca.srl
chmod 600 ./*-key.pem
echo "certificates written to $out"
