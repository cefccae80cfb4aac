#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet (apt, with sudo when not root), and is
# quick when they all are. Used by setup-native.sh and setup-e2e.sh.
set -euo pipefail
need=()
for p in "$@"; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
[ "${#need[@]}" -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
printf '[apt-install] installing %s\n' "${need[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
