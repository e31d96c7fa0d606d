#!/usr/bin/env bash
# Installs whatever the build and the tests need and is missing, then configures and builds.
# Usage: scripts/setup.sh [--test]   (--test adds what only the test suite needs)
# On a machine that already has everything this costs a few dpkg queries and an incremental build.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

pkgs=(build-essential cmake ninja-build ccache pkg-config
      libcaf-dev libboost-dev libboost-system-dev libssl-dev rapidjson-dev
      libsqlitecpp-dev libsqlite3-dev catch2 libcli11-dev)
if [ "$want_test" = 1 ]; then
  pkgs+=(clang libclang-rt-14-dev nodejs tmux python3 openssl)
  pkgs+=(rabbitmq-server)   # tests/rabbitmq: a real STOMP broker (Web-STOMP plugin)
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# nodejs from NodeSource ships npm inside it; Debian's splits it out.
if [ "$want_test" = 1 ] && ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_=""
  [ "$(id -u)" -ne 0 ] && sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
