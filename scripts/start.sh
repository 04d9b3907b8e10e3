#!/usr/bin/env bash
# Builds, then classifies a few sample photos with both CLIs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
shared=${SQZ_SHARED_DIR:-$PWD/../shared}
samples=$(ls "$shared"/testdata/imagenet-sample/*.JPEG | head -3)
echo "== native: build/sqz classify"
./build/sqz classify $samples
echo "== wasm: squeezenet-wasm classify"
node src/js/cli.js classify $samples
