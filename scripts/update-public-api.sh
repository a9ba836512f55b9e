#!/usr/bin/env bash
# Records public members that are not yet in PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt
# (the analyzer's code fix for RS0016, applied with dotnet format). Review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
# Merges of the lists are unions (.gitattributes): drop repeated lines first, keeping the header.
for list in src/Efficient.Training/PublicAPI.*.txt; do
  { head -n 1 "$list"; tail -n +2 "$list" | LC_ALL=C sort -u; } > "$list.tmp" && mv "$list.tmp" "$list"
done
dotnet format analyzers src/Efficient.Training/Efficient.Training.csproj --diagnostics RS0016 --severity warn -v q || true
dotnet build src/Efficient.Training/Efficient.Training.csproj -c Release -v q --nologo | tail -3
