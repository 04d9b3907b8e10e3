#!/usr/bin/env bash
# Builds everything: the native library, CLI and converted models (CMake),
# then the .wasm. SQZ_SHARED_DIR points at the shared data (default ../shared).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
shared=${SQZ_SHARED_DIR:-$PWD/../shared}
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSQZ_SHARED_DIR="$shared" >/dev/null
cmake --build build -j"$(nproc)"
bash scripts/build-wasm.sh dist/squeezenet.wasm
bash scripts/build-wasm.sh --threads dist/squeezenet-mt.wasm
