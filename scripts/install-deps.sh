#!/usr/bin/env bash
# Installs the system packages the project needs (Debian 12): the data sets the samples use.
# The tensor engine (TorchSharp and its libtorch runtime) comes from NuGet; nothing native is
# built. Does nothing when everything is present. Needs root (or sudo) to install.
set -euo pipefail

# openmpi-bin libopenmpi-dev: Open MPI (mpirun, libmpi.so.40), the engine of data-parallel training (ProcessGroup).
packages=(dataset-fashion-mnist fortunes openmpi-bin libopenmpi-dev)
if [[ "${WITH_PYTHON_TORCH:-0}" == "1" ]]; then
  packages+=(python3-torch)   # the PyTorch reference for benchmarks and expected values
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all system packages present (${packages[*]})"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q "${missing[@]}"
