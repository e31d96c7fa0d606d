#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time, one after the other.
# Usage: fuzz/run.sh BUILD_DIR SECONDS
#   BUILD_DIR: a tree configured with CC=clang CXX=clang++ and -DWHISP_FUZZ=ON, already built.
# For each fuzz/fuzz_<name>.cpp: runs BUILD_DIR/bin/fuzz_<name> for SECONDS from a fresh copy of
# its seed corpus fuzz/corpus/<name>/ (under BUILD_DIR/fuzz-work/<name>/, so the committed corpus
# is never written to), with fuzz/<name>.dict when there is one. Reproducers already kept in
# fuzz/crashes/<name>-* are replayed first, as regression tests.
# A crash, leak, timeout, out-of-memory or sanitizer report fails the run: the reproducer is kept
# as fuzz/crashes/<name>-<kind>-<sha1> and its path printed with the command that replays it.
set -uo pipefail
if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
build_dir=$(cd "$1" && pwd) || { echo "fuzz: no build dir $1" >&2; exit 2; }
seconds=$2
crash_dir="$fuzz_dir/crashes"
work_root="$build_dir/fuzz-work"
mkdir -p "$crash_dir" "$work_root"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

shopt -s nullglob
sources=("$fuzz_dir"/fuzz_*.cpp)
if [ ${#sources[@]} -eq 0 ]; then
  echo "fuzz: no fuzz/fuzz_*.cpp targets" >&2
  exit 1
fi

# A sanitizer report that did not stop the process still fails the run.
report_pattern='ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|==[0-9]+==ERROR: libFuzzer'

failed=()
for src in "${sources[@]}"; do
  target=$(basename "$src" .cpp)
  name=${target#fuzz_}
  bin="$build_dir/bin/$target"
  if [ ! -x "$bin" ]; then
    echo "fuzz: $bin is missing: build $build_dir with -DWHISP_FUZZ=ON first" >&2
    failed+=("$name (not built)")
    continue
  fi
  work="$work_root/$name"
  rm -rf "$work"
  mkdir -p "$work/corpus"
  if [ -d "$fuzz_dir/corpus/$name" ]; then
    cp -R "$fuzz_dir/corpus/$name/." "$work/corpus/"
  else
    echo "fuzz: note: no seed corpus fuzz/corpus/$name/, starting empty" >&2
  fi
  seeds=$(find "$work/corpus" -type f | wc -l)
  dict=()
  [ -f "$fuzz_dir/$name.dict" ] && dict=("-dict=$fuzz_dir/$name.dict")
  log="$work/fuzz.log"

  known=("$crash_dir/$name"-*)
  if [ ${#known[@]} -gt 0 ]; then
    echo "== fuzz $name: replaying ${#known[@]} kept reproducer(s)"
    if ! "$bin" "${known[@]}" >"$work/replay.log" 2>&1 || grep -Eq "$report_pattern" "$work/replay.log"; then
      tail -n 40 "$work/replay.log"
      echo "fuzz: $name FAILED on a kept reproducer in fuzz/crashes/ (log: $work/replay.log)" >&2
      failed+=("$name (kept reproducer)")
      continue
    fi
  fi

  echo "== fuzz $name: ${seconds}s from $seeds seed(s)"
  before=$(ls -1 "$crash_dir" | sort)
  status=0
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crash_dir/$name-" "${dict[@]}" "$work/corpus" >"$log" 2>&1 || status=$?
  new_artifacts=$(comm -13 <(echo "$before") <(ls -1 "$crash_dir" | sort))
  if [ "$status" -ne 0 ] || grep -Eq "$report_pattern" "$log" || [ -n "$new_artifacts" ]; then
    tail -n 60 "$log"
    echo "fuzz: $name FAILED (exit $status; full log: $log)" >&2
    for a in $new_artifacts; do
      echo "fuzz: reproducer kept: $crash_dir/$a   replay: $bin $crash_dir/$a" >&2
    done
    failed+=("$name")
  else
    runs=$(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "?")
    corpus=$(find "$work/corpus" -type f | wc -l)
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' || echo "?")
    echo "   ok: $runs runs, coverage $cov, corpus $seeds -> $corpus"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#sources[@]} target(s) ran ${seconds}s without a finding"
