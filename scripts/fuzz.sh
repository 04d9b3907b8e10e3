#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang-14 and ASan+UBSan, then runs
# each for a bounded time from the seed corpus in the repository.
#   scripts/fuzz.sh            each target a fixed number of runs (about a minute
#                              here), capped at SQZ_FUZZ_SECONDS (default 120),
#                              libFuzzer seed SQZ_FUZZ_SEED (default 1)
#   scripts/fuzz.sh --seeds    rewrites fuzz/corpus/model from the tiny models
# A crash stops the run and leaves its input in build-fuzz/crash-*: commit it
# under fuzz/regressions/<target>/, fix the library and add the outcome the
# fix gives it to tests/c/test_fuzz_regressions.c (which replays every file
# there and fails on one it has no outcome for).
set -euo pipefail
cd "$(dirname "$0")/.."
out=build-fuzz
mkdir -p "$out"
cc=${SQZ_FUZZ_CC:-clang-14}
# UBSan's array-bounds and shift-exponent checks are off for stb_image.h alone
# (fuzz/ubsan-ignorelist.txt): stb_image 2.27 indexes a Huffman table's
# symbols with a negative index on some corrupt JPEGs and shifts by 32 after
# corrupt fill bytes (fuzz/known/; fixed upstream in 2.28, not patchable in
# Debian's header). Our own code, decode.c around the header included, keeps
# both checks; ASan still checks every memory access, stb_image's too.
flags=(-g -O1 -std=c11 -msse4.1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -fsanitize-ignorelist=fuzz/ubsan-ignorelist.txt
       -Isrc/include -Isrc -Ifuzz -isystem /usr/include/stb)
lib=(src/common/*.c src/format/*.c src/learn/*.c src/engine/*.c src/engine/ops/*.c src/kernels/*.c src/kernels/*/*.c src/preprocess/*.c fuzz/targets.c)

if [ "${1:-}" = "--seeds" ]; then
  "$cc" -g -O1 -std=c11 -msse4.1 -Isrc/include -Isrc -Ifuzz -isystem /usr/include/stb \
    "${lib[@]}" fuzz/make_seeds.c -lm -o "$out/make_seeds"
  "$out/make_seeds" fuzz/corpus/model
  exit 0
fi

seconds=${SQZ_FUZZ_SECONDS:-120}
# A fixed seed and a fixed number of executions make CI's run the same inputs
# on every machine (a time bound alone would let a faster machine go further
# than any run seen here); the time bound only caps a slow machine.
declare -A runs=([model]=${SQZ_FUZZ_RUNS_MODEL:-200000} [image]=${SQZ_FUZZ_RUNS_IMAGE:-70000}
                [exif]=${SQZ_FUZZ_RUNS_EXIF:-2000000})
for target in ${SQZ_FUZZ_TARGETS:-model image exif}; do
  echo "== fuzz_$target: building"
  "$cc" "${flags[@]}" "${lib[@]}" "fuzz/fuzz_$target.c" -lm -o "$out/fuzz_$target"
  # New inputs go to a scratch corpus in build-fuzz (fresh each run, and a fixed
  # seed: the same executions as in CI, only how many depends on the machine);
  # the committed seeds stay as they are.
  rm -rf "$out/corpus-$target"
  mkdir -p "$out/corpus-$target"
  dirs=("$out/corpus-$target" "fuzz/corpus/$target")
  if [ -d "fuzz/regressions/$target" ]; then dirs+=("fuzz/regressions/$target"); fi
  echo "== fuzz_$target: ${seconds}s from fuzz/corpus/$target"
  "$out/fuzz_$target" -seed="${SQZ_FUZZ_SEED:-1}" -runs="${runs[$target]}" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=3072 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$out/crash-$target-" \
    "${dirs[@]}" 2>"$out/fuzz_$target.log" || {
    tail -60 "$out/fuzz_$target.log"
    echo "fuzz_$target found a crash: see $out/crash-$target-*; commit it under fuzz/regressions/$target/" \
      "and its fixed outcome in tests/c/test_fuzz_regressions.c" >&2
    exit 1
  }
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|INFO: Loaded|cov:" "$out/fuzz_$target.log" | tail -4
  # A run that read no seeds or stopped at once has fuzzed nothing.
  units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz_$target.log")
  seeds=$(sed -n 's/.*seed corpus: files: \([0-9]*\).*/\1/p' "$out/fuzz_$target.log")
  if [ "${units:-0}" -lt 1000 ] || [ "${seeds:-0}" -lt 3 ]; then
    echo "fuzz_$target ran ${units:-0} inputs from ${seeds:-0} seeds: too few to count as fuzzed" >&2
    exit 1
  fi
done
