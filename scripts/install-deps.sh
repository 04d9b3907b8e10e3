#!/usr/bin/env bash
# Installs what the build and tests need, when missing; safe to run again.
#  1. Debian packages, when run as root (otherwise it names exactly what is missing);
#  2. npm's dev dependencies (the browser tests' Vite, Playwright and Puppeteer, tsc, the
#     bench's peers) from package-lock.json (`npm ci`), when node_modules does
#     not hold exactly those (scripts/check-node-modules.js).
# scripts/build.sh runs it, so `npm start` and `npm test` set up a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A need=(
  [cmake]="command -v cmake"
  [gcc]="command -v gcc"
  [emscripten]="command -v emcc"
  [binaryen]="command -v wasm-opt"                    # tests/node/scalar.test.js (comes with emscripten)
  [libsimde-dev]="test -f /usr/include/simde/wasm/simd128.h"
  [libstb-dev]="test -f /usr/include/stb/stb_image.h"
  [python3-pil]="/usr/bin/python3 -c 'import PIL'"
  [nodejs]="command -v node"
  [chromium]="command -v chromium"   # browser tests (tests/browser/, tests/node/browser.test.js)
  [firefox-esr]="command -v firefox-esr"              # the same browser tests in Firefox
  [clang-14]="command -v clang-14"                    # fuzzing (scripts/fuzz.sh)
  [libclang-rt-14-dev]="test -n \"\$(ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)\""
  [valgrind]="command -v valgrind"                    # scripts/test-sanitize.sh
)
# Extra packages other parts of the test suite need (fuzzing, browser tests)
# can be listed in SQZ_EXTRA_PACKAGES as "package:check-command" pairs.
missing=()
for pkg in "${!need[@]}"; do
  eval "${need[$pkg]}" >/dev/null 2>&1 || missing+=("$pkg")
done
for pair in ${SQZ_EXTRA_PACKAGES:-}; do
  pkg=${pair%%:*} check=${pair#*:}
  eval "$check" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! why=$(node scripts/check-node-modules.js); then
  # A linked node_modules (e.g. a worktree sharing another checkout's) is
  # left alone: `npm ci` would empty the folder it points to.
  if [ -L node_modules ]; then
    echo "node_modules links to $(readlink -f node_modules), which does not match package-lock.json ($why):" >&2
    echo "run npm ci there, or remove the link" >&2
    exit 1
  fi
  echo "Installing the npm packages of package-lock.json ($why)"
  npm ci --no-audit --no-fund
fi
