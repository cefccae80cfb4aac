#!/usr/bin/env bash
# Installs Debian's redis-server when missing: the broker that the queue tests (test/queue/) start on a free loopback
# port of their own and stop at the end (test/queue/redisServer.ts). Nothing is started here, and the system's own
# redis service, if any, is neither used nor touched. The only network used is Debian apt.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/apt-install.sh redis-server
