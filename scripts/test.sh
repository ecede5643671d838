#!/usr/bin/env bash
# The whole test suite: what `make test` and CI run. It makes sure the local
# services the suites need are up (starting them if not) and that Chromium is
# installed, builds the web app (which the Go binary embeds) and runs its unit
# tests, then runs every Go test with the race detector on SQLite and
# PostgreSQL, the browser tests included. Under CI=true neither the
# PostgreSQL suites nor the browser tests may skip.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${CI:-}" = "true" ]; then
  export RELAY_TEST_REQUIRE_POSTGRES=1
  export RELAY_TEST_REQUIRE_BROWSER=1
fi

echo "== services"
bash scripts/test-services.sh

echo "== chromium (browser tests)"
bash scripts/chromium.sh

echo "== web app: build (embedded by the Go binary) and unit tests"
RELAY_WEB_REQUIRED=1 bash scripts/web-build.sh
npm test --prefix web

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test (race)"
go test -race -count=1 -timeout 20m ./...

echo "== phoenix.js client against the relay binary (node --test)"
# test/phoenixjs drives the socket with the published phoenix npm client; it
# builds ./cmd/relay and serves it itself. Node 20+ and npm are required.
command -v node >/dev/null 2>&1 || { echo "node is not installed: test/phoenixjs needs Node.js 20 or later"; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "npm is not installed: test/phoenixjs needs it to install its lock file"; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "node $(node --version) is too old: test/phoenixjs needs Node.js 20 or later"; exit 1
fi
# Install from the lock file when node_modules is missing or the lock changed.
lock_sum=$(cat test/phoenixjs/package.json test/phoenixjs/package-lock.json | sha256sum | cut -d' ' -f1)
stamp=test/phoenixjs/node_modules/.relay-lock-sha256
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  npm ci --prefix test/phoenixjs --no-audit --no-fund
  echo "$lock_sum" >"$stamp"
fi
node --test test/phoenixjs/
