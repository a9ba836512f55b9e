#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the sample training run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# With no --recipe of its own, the run uses the mild recipe (the sample's fastest to the baseline's accuracy).
echo "run-sample: building and starting the ResNet sample (the first build restores TorchSharp's native libraries: a few minutes) ..."
case " $* " in
  *" --recipe "*|*" --recipe-file "*) dotnet run -c Release --project samples/ResNet -- "$@" ;;
  *) dotnet run -c Release --project samples/ResNet -- --recipe mild "$@" ;;
esac
