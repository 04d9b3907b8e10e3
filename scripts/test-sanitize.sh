#!/usr/bin/env bash
# The C tests again in a second build with AddressSanitizer, UndefinedBehavior-
# Sanitizer and assertions on (build-sanitize/; the end-to-end test on 20 of
# the 200 photos there, test_golden left out), then valgrind memcheck on the native CLI (the Release
# build in build/) over 10 photos with each model. Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SQZ_SHARED_DIR:-$PWD/../shared}
# RelWithDebInfo without -DNDEBUG: the kernels' assertions check their contracts.
cmake -S . -B build-sanitize -DSQZ_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g" -DSQZ_SHARED_DIR="$shared" >/dev/null
tests=$(ls tests/c/test_*.c | xargs -n1 basename | sed 's/\.c$//')
# Only the tests and the CLI: the models stay the ones build/ converted.
cmake --build build-sanitize -j"$(nproc)" --target sqz $tests
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Left out here: test_golden (its network runs are the ones test_hostile_*
# repeat on golden crops) and test_compact_models (accuracy on 200 photos; its
# decoders run under the sanitizers in test_tensor_codec). SQZ_TEST_QUICK
# samples fewer damaged models.
SQZ_TEST_PHOTOS=20 SQZ_TEST_QUICK=1 ctest --test-dir build-sanitize --output-on-failure --no-tests=error \
  -E '^(test_golden|test_compact_models)$'

command -v valgrind >/dev/null || { echo "valgrind is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
all=("$shared"/testdata/imagenet-sample/*.JPEG)
photos=("${all[@]:0:10}")
for model in squeezenet1_1 squeezenet1_0; do
  echo "== valgrind memcheck: build/sqz classify --model $model, 10 photos"
  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all \
    --show-leak-kinds=all ./build/sqz classify --model "models/$model.sqz" --json --top 1 "${photos[@]}" >/dev/null
done
echo "valgrind: no errors, no leaks"
