#!/usr/bin/env bash
# A virtualenv with the pinned OpenAPI fuzzer (schemathesis), in fuzz/.venv (idempotent).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [[ ! -x "$here/.venv/bin/python" ]]; then
  python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
