#!/usr/bin/env bash
# The whole test suite: build, then the C tests (ctest) and the Node tests
# (node --test), which run the same checks against the .wasm.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
export SQZ_SHARED_DIR=${SQZ_SHARED_DIR:-$PWD/../shared}
ctest --test-dir build --output-on-failure
node --test tests/node/
node --test tests/browser/   # the web page in headless Chromium
