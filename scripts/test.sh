#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, then
#  1. builds with warnings as errors and runs the unit and end-to-end tests (CTest),
#  2. the same tests built with ASan+UBSan,
#  3. the thread-sanitized tests of the layers whose threads meet outside CAF,
#  4. every libFuzzer target for a bounded time (WHISP_FUZZ_SECONDS, default 30).
# Any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
if [ -f package-lock.json ]; then
  if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
jobs=$(nproc)

echo "== 1/4 tests (-Werror)"
scripts/build.sh build -DWHISP_WERROR=ON
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== 2/4 tests under ASan+UBSan"
scripts/build.sh build-asan -DWHISP_WERROR=ON -DWHISP_SANITIZE=address,undefined -DWHISP_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=Debug
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE "no_asan|rabbitmq"

echo "== 3/4 tests under TSan (layers whose threads meet outside CAF)"
# Only the binaries holding tsan-labelled tests: building CAF-based code under TSan is useless
# (Debian's CAF is not instrumented) and slow.
WHISP_TARGETS="net_tests store_tests store_thread_tests capi_thread_tests" \
  scripts/build.sh build-tsan -DWHISP_WERROR=ON -DWHISP_SANITIZE=thread -DWHISP_BENCH=OFF
TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build-tsan --output-on-failure -j "$jobs" -L tsan

echo "== 4/4 fuzzing"
CC=clang CXX=clang++ scripts/build.sh build-fuzz -DWHISP_FUZZ=ON -DWHISP_BENCH=OFF
fuzz/run.sh build-fuzz "${WHISP_FUZZ_SECONDS:-30}"
echo "== all tests passed"
