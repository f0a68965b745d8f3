#!/usr/bin/env bash
# Installs dependencies, builds with -Werror and ASan/UBSan, and runs the whole test suite.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/build.sh" "$top/build" --enable-werror --enable-sanitizers
cd "$top/build"
status=0
make -s -j"$(nproc)" check || status=$?
# One summary line for humans and for CI, counting test cases, not test programs:
# cmocka's "[  PASSED  ] N test(s)", pytest's "N passed, M failed", and the fuzz pass.
summary() {
  local logs passed=0 failed=0 skipped=0 n
  set +e +o pipefail  # a log without a given count is not an error here
  logs=$(find tests fuzz -name '*.log' 2>/dev/null || true)
  for log in $logs; do
    n=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n1); passed=$((passed + ${n:-0}))
    n=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n1); failed=$((failed + ${n:-0}))
    n=$(grep -oE '[0-9]+ passed' "$log" | tail -n1 | cut -d' ' -f1); passed=$((passed + ${n:-0}))
    n=$(grep -oE '[0-9]+ (failed|error)' "$log" | tail -n1 | cut -d' ' -f1); failed=$((failed + ${n:-0}))
    n=$(grep -oE '[0-9]+ (skipped|xfailed)' "$log" | tail -n1 | cut -d' ' -f1); skipped=$((skipped + ${n:-0}))
    grep -qE '^Done [0-9]+ runs' "$log" && passed=$((passed + 1))
    grep -q '^cppcheck: no findings' "$log" && passed=$((passed + 1))
  done
  # A program that crashed counts as a failure even if it printed no counts of its own.
  n=$(awk '/^# (FAIL|ERROR):/ { sum += $3 } END { print sum + 0 }' test-suite.log 2>/dev/null || echo 1)
  [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=${n:-1}
  echo "$passed passed, $failed failed, $skipped skipped"
}
[ "$status" -ne 0 ] && [ -f test-suite.log ] && tail -n 80 test-suite.log
summary
exit "$status"
