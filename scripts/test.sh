#!/usr/bin/env bash
# The test command: installs what is missing (the data sets; TorchSharp comes from NuGet),
# builds everything and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
dotnet test Efficient.Training.sln -c Release "$@"
