#!/usr/bin/env bash
# Installs OpenBLAS and a C toolchain (Debian: libopenblas-dev, g++, make, python3 for node-gyp) when missing, and
# builds the BLAS addon that the wasm backend's matrix products and LSTM loops run on (server/src/engine/nativeBlas.ts).
# The only network used is Debian apt.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/apt-install.sh libopenblas-dev g++ make python3
node scripts/build-native.mjs
