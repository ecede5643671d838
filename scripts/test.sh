#!/usr/bin/env bash
# The whole test suite: what `make test` and CI run. It makes sure the local
# services the suites need are up (starting them if not), then runs every Go
# test with the race detector on SQLite and PostgreSQL. Under CI=true the
# PostgreSQL suites may not skip.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${CI:-}" = "true" ]; then
  export RELAY_TEST_REQUIRE_POSTGRES=1
fi

echo "== services"
bash scripts/test-services.sh

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test (race)"
go test -race -count=1 -timeout 20m ./...
