#!/usr/bin/env bash
# Records public members that are not yet in PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt
# (the analyzer's code fix for RS0016, applied with dotnet format). Review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
# Merges of the lists are unions (.gitattributes): drop repeated lines first, keeping the header.
for list in src/*/PublicAPI.*.txt; do
  { head -n 1 "$list"; tail -n +2 "$list" | LC_ALL=C sort -u; } > "$list.tmp" && mv "$list.tmp" "$list"
done
for project in src/Efficient.Training/Efficient.Training.csproj src/Efficient.Training.Plotting/Efficient.Training.Plotting.csproj; do
  dotnet format analyzers "$project" --diagnostics RS0016 --severity warn -v q || true
  dotnet build "$project" -c Release -v q --nologo | tail -3
done
