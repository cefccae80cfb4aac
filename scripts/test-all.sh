#!/usr/bin/env bash
# The one test command (README and .ci/run): installs what the tests need on a fresh machine, then runs every test.
#   npm dependencies (registry only; the optional tfjs-node may fail to install and that is fine),
#   OpenBLAS and the BLAS addon the wasm backend's matMuls run on (Debian apt; the tests use it),
#   Debian's redis-server for the queue tests (each test run starts its own on a free loopback port),
#   the end-to-end environment (Debian packages, code-server, cached outside the repo),
#   then the whole suite with Node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
bash scripts/setup-native.sh
bash scripts/setup-redis.sh
if [ -f scripts/setup-e2e.sh ]; then bash scripts/setup-e2e.sh; fi
npm test
