#!/usr/bin/env bash
# Builds the .wasm engines alone (`npm run build` builds them with the rest).
# CMake holds their sources and flags (cmake/sources.cmake, cmake/wasm.cmake);
# this only configures build/wasm with Emscripten and builds there:
#   scripts/build-wasm.sh                 all three into dist/
#   scripts/build-wasm.sh [--threads|--scalar] OUT.wasm
#       one engine (squeezenet, squeezenet-mt or squeezenet-scalar), also
#       copied to OUT.wasm: e.g. a build from before a change, for
#       `npm run bench -- --extra before=OUT.wasm`
set -euo pipefail
cd "$(dirname "$0")/.."
target=squeezenet
case "${1:-}" in
  --threads) target=squeezenet-mt; shift ;;
  --scalar) target=squeezenet-scalar; shift ;;
esac
out=${1:-}
emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
if [ -z "$out" ]; then
  cmake --build build/wasm -j"$(nproc)"
  exit 0
fi
cmake --build build/wasm -j"$(nproc)" --target "$target"
mkdir -p "$(dirname "$out")"
[ "$(realpath -m "$out")" = "$(realpath "dist/$target.wasm")" ] || cp "dist/$target.wasm" "$out"
echo "built $out ($(stat -c %s "$out") bytes)"
