#!/usr/bin/env bash
# Installs what the end-to-end tests need, outside the repository, and is fast when everything is already there:
#   Debian packages (Chromium to drive the UI, ripgrep for VS Code search, krb5 headers + pkg-config for native rebuilds),
#   code-server (VS Code for the browser, runs on Node 20) from the npm registry, with its native modules rebuilt locally.
# The only network used is Debian apt and the npm registry. Cache dir: $BIONER_E2E_CACHE (default ~/.cache/bioner-e2e).
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CACHE="${BIONER_E2E_CACHE:-$HOME/.cache/bioner-e2e}"
ROOT="$CACHE/code-server-$CODE_SERVER_VERSION"
PKG="$ROOT/node_modules/code-server"
DONE="$ROOT/.bioner-setup-done"

log() { printf '[setup-e2e] %s\n' "$*"; }

# 1. Debian packages, only when something is missing.
bash "$(dirname "$0")/apt-install.sh" libkrb5-dev pkg-config ripgrep chromium

if [ -f "$DONE" ] && [ -f "$PKG/out/node/entry.js" ]; then
  log "code-server $CODE_SERVER_VERSION ready in $PKG"
  exit 0
fi

# 2. code-server from npm, without its postinstall (which would download things).
mkdir -p "$ROOT"
if [ ! -f "$PKG/package.json" ]; then
  log "npm: code-server@$CODE_SERVER_VERSION -> $ROOT"
  [ -f "$ROOT/package.json" ] || echo '{"name":"bioner-e2e-code-server","private":true}' > "$ROOT/package.json"
  (cd "$ROOT" && npm install --no-audit --no-fund --ignore-scripts "code-server@$CODE_SERVER_VERSION")
fi

# 3. VS Code's own production dependencies, with ripgrep taken from Debian instead of downloaded.
VSC="$PKG/lib/vscode"
log "npm: VS Code runtime dependencies in $VSC"
(cd "$VSC" && npm install --no-audit --no-fund --omit=dev --ignore-scripts)
mkdir -p "$VSC/node_modules/@vscode/ripgrep/bin"
ln -sf "$(command -v rg)" "$VSC/node_modules/@vscode/ripgrep/bin/rg"
log "npm rebuild (native modules) in $VSC"
(cd "$VSC" && npm_config_yes=true npm rebuild)
[ -e "$VSC/node_modules.asar" ] || ln -s node_modules "$VSC/node_modules.asar"

# 4. code-server's own native module (npm hoists argon2 next to code-server, so rebuild from the install root).
log "npm rebuild argon2 in $ROOT"
(cd "$ROOT" && npm rebuild argon2)
ls "$ROOT"/node_modules/argon2/lib/binding/*/argon2.node >/dev/null

touch "$DONE"
log "code-server $CODE_SERVER_VERSION ready in $PKG"
