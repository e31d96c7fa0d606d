#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs `whisp demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
WHISP_TARGETS=whisp scripts/build.sh build -DWHISP_WERROR=ON  # only what the demo needs
exec build/bin/whisp demo "$@"
