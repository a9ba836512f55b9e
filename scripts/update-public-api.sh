#!/usr/bin/env bash
# Records public members that are not yet in PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt
# (the analyzer's code fix for RS0016, applied with dotnet format). Review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/Efficient.Torch/Efficient.Torch.csproj src/Efficient.Training/Efficient.Training.csproj; do
  dotnet format analyzers "$project" --diagnostics RS0016 --severity warn -v q || true
done
dotnet build Efficient.Training.sln -c Release -v q --nologo | tail -3
