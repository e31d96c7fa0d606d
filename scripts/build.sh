#!/usr/bin/env bash
# Configures (once) and builds one build tree incrementally.
# Usage: scripts/build.sh DIR [cmake -D options...]
# WHISP_TARGETS="a b" builds only those targets (default: everything).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1; shift
# ccache hits across clones and build trees (debug info would otherwise hash the directory).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
fi
targets=()
for t in ${WHISP_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$dir" -j "$(nproc)" "${targets[@]}"
