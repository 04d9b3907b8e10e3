#!/usr/bin/env bash
# Builds everything with CMake: the native library, CLI and tests, the
# converted models, dist/constants.js, and the three .wasm engines (a second
# CMake configure with Emscripten, cmake/wasm.cmake). Installs what is missing
# first (scripts/install-deps.sh). Incremental: a second run rebuilds only
# what changed. SQZ_SHARED_DIR points at the shared data (default ../shared).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
shared=${SQZ_SHARED_DIR:-$PWD/../shared}
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSQZ_SHARED_DIR="$shared" >/dev/null
cmake --build build -j"$(nproc)"
