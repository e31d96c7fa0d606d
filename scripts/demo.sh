#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs `whisp demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build -DWHISP_WERROR=ON
exec build/bin/whisp demo "$@"
