#!/usr/bin/env bash
# Installs OpenBLAS (Debian's libopenblas-dev) when it is missing and builds the BLAS addon that the wasm backend's
# matrix products run on (server/src/engine/nativeBlas.ts). The only network used is Debian apt.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for p in libopenblas-dev g++ make python3; do
  command -v "$p" >/dev/null 2>&1 || dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "[setup-native] apt: installing ${need[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi
node scripts/build-native.mjs
