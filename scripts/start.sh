#!/usr/bin/env bash
# Builds what the web page needs (only when missing or older than the
# sources), then serves it at http://localhost:${PORT:-8080}/.
set -euo pipefail
cd "$(dirname "$0")/.."
wasm=dist/squeezenet.wasm
if [ ! -f "$wasm" ] || [ ! -f dist/squeezenet-mt.wasm ] || ! ls models/*.sqz >/dev/null 2>&1 \
   || [ -n "$(find src/common src/format src/engine src/kernels src/preprocess src/wasm src/include scripts/build.sh scripts/build-wasm.sh -newer "$wasm" -print -quit)" ]; then
  bash scripts/build.sh
fi
exec node web/server.js
