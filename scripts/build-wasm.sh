#!/usr/bin/env bash
# Builds the .wasm from the same C sources as the native library, with SIMD128:
#   scripts/build-wasm.sh [dist/squeezenet.wasm]   standalone, one thread
#   scripts/build-wasm.sh --threads [dist/squeezenet-mt.wasm]
#       threads: shared memory (imported as env.memory, atomics); src/js/threads.js
#       instantiates it once per thread. emcc refuses STANDALONE_WASM with -pthread,
#       so it links to JS + wasm, keeps only the .wasm, and links at -O2 (the C is
#       compiled at -O3): from -O3 on, emcc minifies the export names.
# Emscripten's JS glue is not used: under Node 20 it fetch()es file paths and fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}   # emcc's optimizer needs Debian's acorn
threads=0
if [ "${1:-}" = "--threads" ]; then threads=1; shift; fi
sources=(src/common/*.c src/format/*.c src/learn/*.c src/engine/*.c src/kernels/*.c src/kernels/*/*.c src/preprocess/*.c src/tools/report.c src/wasm/*.c)
cflags=(-O3 -msimd128 -DNDEBUG -std=c11 -Isrc/include -Isrc -isystem /usr/include/stb)
# Memory: INITIAL_MEMORY is also what threads.js gives the shared memory (keep in step).
memory=(-sALLOW_MEMORY_GROWTH -sINITIAL_MEMORY=16MB -sMAXIMUM_MEMORY=2GB)
if [ "$threads" = 0 ]; then
  out=${1:-dist/squeezenet.wasm}
  mkdir -p "$(dirname "$out")"
  emcc "${cflags[@]}" "${sources[@]}" -sSTANDALONE_WASM --no-entry "${memory[@]}" -sTOTAL_STACK=512KB -o "$out"
else
  out=${1:-dist/squeezenet-mt.wasm}
  mkdir -p "$(dirname "$out")"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  printf '%s\n' "${sources[@]}" | xargs -P"$(nproc)" -I{} sh -c \
    'emcc -c -pthread "$@" "{}" -o "$0/$(echo "{}" | tr / _).o"' "$tmp" "${cflags[@]}"
  emcc -O2 -msimd128 -pthread "$tmp"/*.o --no-entry "${memory[@]}" -sTOTAL_STACK=512KB \
    -Wno-pthreads-mem-growth -o "$tmp/squeezenet-mt.js"
  cp "$tmp/squeezenet-mt.wasm" "$out"
fi
echo "built $out ($(stat -c %s "$out") bytes)"
