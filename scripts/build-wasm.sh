#!/usr/bin/env bash
# Builds dist/squeezenet.wasm from the same C sources as the native library:
# standalone wasm with SIMD128, instantiated by src/js/engine.js (Emscripten's
# JS glue is not used: under Node 20 it fetch()es file paths and fails).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist/squeezenet.wasm}
mkdir -p "$(dirname "$out")"
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}   # emcc's optimizer needs Debian's acorn
emcc -O3 -msimd128 -DNDEBUG -std=c11 \
  -Isrc/include -Isrc -isystem /usr/include/stb \
  src/engine/*.c src/kernels/*.c src/kernels/*/*.c src/preprocess/*.c \
  src/tools/report.c src/wasm/*.c \
  -sSTANDALONE_WASM --no-entry -sALLOW_MEMORY_GROWTH -sINITIAL_MEMORY=16MB \
  -sMAXIMUM_MEMORY=2GB -sTOTAL_STACK=512KB \
  -o "$out"
echo "built $out ($(stat -c %s "$out") bytes)"
