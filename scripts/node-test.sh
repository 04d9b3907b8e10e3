#!/usr/bin/env bash
# `node --test FILES|DIRS...` that cannot pass by testing nothing. node --test
# exits 0 when it finds no test, when a file registers none, and for todo and
# skipped tests; here each of those fails the run:
#   - no test ran at all, or a test file ran none (node then lists the file
#     itself as a passing test);
#   - a test is marked todo (a failing todo does not fail node's run);
#   - a test was skipped, other than the browser tests under
#     SQZ_SKIP_BROWSERS=1 (the one opt-out: a machine without the browsers).
set -euo pipefail
tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" "$@"
summary() { sed -n "s/^# $1 \\([0-9]*\\)$/\\1/p" "$tap" | tail -1; }
tests=$(summary tests) todo=$(summary todo)
problems=()
[ "${tests:-0}" -gt 0 ] || problems+=("no test ran")
while read -r file; do
  problems+=("$file ran no test")
done < <(sed -n 's/^ok [0-9]* - \(\/.*\.js\)$/\1/p' "$tap")
[ "${todo:-0}" -eq 0 ] || problems+=("$todo todo test(s): $(grep -E '^ *(not )?ok .* # TODO' "$tap" | sed 's/^ *//' | tr '\n' ';')")
# Skips other than the browser opt-out (its reason is 'SQZ_SKIP_BROWSERS=1')
# never pass: the opt-out must not hide a CLI test that could not run.
opted_out='# SKIP SQZ_SKIP_BROWSERS=1$'
[ "${SQZ_SKIP_BROWSERS:-}" = 1 ] || opted_out='^$'
others=$(grep -E '^ *ok .* # SKIP' "$tap" | grep -Ev "$opted_out" | sed 's/^ *//' | tr '\n' ';' || true)
[ -z "$others" ] || problems+=("skipped test(s): $others")
if [ ${#problems[@]} -gt 0 ]; then
  echo "node --test $*: does not count as passed:" >&2
  printf '  %s\n' "${problems[@]}" >&2
  exit 1
fi
