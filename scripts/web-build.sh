#!/usr/bin/env bash
# Builds the web app into web/dist, which the Go binary embeds. Installs the
# npm packages from web/package-lock.json (npm ci) when node_modules is
# missing or the lock changed. Quick when nothing changed.
#
# Without Node.js 20+ and npm it prints how to get them and exits 1 when
# RELAY_WEB_REQUIRED=1 (the test command sets it), else 0: the binary then
# serves a page that says how to build the app.
set -euo pipefail
cd "$(dirname "$0")/.."

required=${RELAY_WEB_REQUIRED:-0}
fail() {
  echo "web: $*" >&2
  if [ "$required" = "1" ]; then exit 1; fi
  echo "web: building the Go binary without the web app" >&2
  exit 0
}

command -v node >/dev/null 2>&1 || fail "Node.js 20 or later is needed to build the web app (not found)"
command -v npm >/dev/null 2>&1 || fail "npm is needed to build the web app (not found)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "node $(node --version) is too old: the web app needs Node.js 20 or later"

lock_sum=$(cat web/package.json web/package-lock.json | sha256sum | cut -d' ' -f1)
stamp=web/node_modules/.relay-lock-sha256
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  echo "web: installing the web app's packages (npm ci; the first time takes a minute or two)…"
  npm ci --prefix web --no-audit --no-fund
  echo "$lock_sum" >"$stamp"
fi
echo "web: building the web app into web/dist…"
npm run --prefix web build
echo "web: built web/dist"
