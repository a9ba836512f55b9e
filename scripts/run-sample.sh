#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the sample training run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
dotnet run -c Release --project samples/ResNet -- "$@"
