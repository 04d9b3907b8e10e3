#!/usr/bin/env bash
# The whole test suite (`npm test`): set up what is missing and build
# (scripts/build.sh: Debian and npm packages, then CMake), then the C tests
# (ctest) and the Node tests (node --test), which run the same checks against
# the .wasm engines, then the sanitizer/valgrind run and the fuzz targets
# (scripts/test-sanitize.sh, fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
export SQZ_SHARED_DIR=${SQZ_SHARED_DIR:-$PWD/../shared}
ctest --test-dir build --output-on-failure --no-tests=error
# node --test that fails on no tests, todo and skips (scripts/node-test.sh)
bash scripts/node-test.sh tests/node/
if [ "${SQZ_SKIP_BROWSERS:-}" = 1 ]; then
  echo "SQZ_SKIP_BROWSERS=1: the browser tests are NOT run" >&2
else
  bash scripts/node-test.sh tests/browser/   # the web page in headless Chromium and Firefox ESR
fi
# Hostile input: the C tests under ASan+UBSan, valgrind on the CLI, then
# each fuzz target for about a minute (SQZ_FUZZ_SECONDS).
bash scripts/test-sanitize.sh
bash scripts/fuzz.sh
