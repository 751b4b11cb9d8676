#!/usr/bin/env bash
# Generates the Python stubs from proto/ (the one source of truth) into gen/, committed.
# Uses the pinned grpcio-tools from requirements.txt (run `bash setup.sh` first).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
proto="$here/../../proto"
python="${PYTHON:-$here/.venv/bin/python}"
rm -rf "$here/gen"
mkdir -p "$here/gen"
mapfile -t files < <(cd "$proto" && find switchboard $([[ -d user ]] && echo user) -name '*.proto' | sort)
mapfile -t vendored < <(cd "$proto/vendor" && find buf -name '*.proto' | sort)
(cd "$proto" && "$python" -m grpc_tools.protoc -I . -I vendor \
  --python_out="$here/gen" --grpc_python_out="$here/gen" --pyi_out="$here/gen" "${files[@]}" "${vendored[@]}")
# Make every generated folder an importable package.
find "$here/gen" -type d -exec touch {}/__init__.py \;
echo "generated $(find "$here/gen" -name '*_pb2*.py' | wc -l) modules into gen/"
