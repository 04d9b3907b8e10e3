#!/usr/bin/env bash
# Installs the Debian packages the build and tests need, when run as root;
# otherwise names exactly what is missing. Safe to run again.
set -euo pipefail

declare -A need=(
  [cmake]="command -v cmake"
  [gcc]="command -v gcc"
  [emscripten]="command -v emcc"
  [libsimde-dev]="test -f /usr/include/simde/wasm/simd128.h"
  [libstb-dev]="test -f /usr/include/stb/stb_image.h"
  [python3-pil]="/usr/bin/python3 -c 'import PIL'"
  [nodejs]="command -v node"
  [chromium]="command -v chromium"   # browser tests (tests/browser/, tests/node/browser.test.js)
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
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
