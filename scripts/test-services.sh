#!/usr/bin/env bash
# Makes sure the services the test suites use are up on this machine:
# PostgreSQL on 127.0.0.1:5432 and NATS on 127.0.0.1:4222. A service that is
# down is started with the command from shared/ENVIRONMENT.md and polled for
# up to RELAY_SERVICE_WAIT seconds (default 30). Idempotent, and quick when
# everything already answers.
#
# Under CI=true (or RELAY_TEST_REQUIRE_POSTGRES=1 for PostgreSQL) a service
# that cannot be had is an error: this script exits 1 with the reason, since
# no suite may skip there. Otherwise it prints a warning and exits 0, and the
# suites that need the service skip with the reason.
set -euo pipefail

wait_seconds=${RELAY_SERVICE_WAIT:-30}

is_true() {
  case "${1:-}" in true | TRUE | True | 1 | yes) return 0 ;; *) return 1 ;; esac
}

ci=false
if is_true "${CI:-}"; then ci=true; fi

# tcp_open HOST PORT: can we connect at all?
tcp_open() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

postgres_up() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h 127.0.0.1 -p 5432 -t 2
  else
    tcp_open 127.0.0.1 5432
  fi
}

# A NATS server greets every connection with an INFO line.
nats_up() {
  timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/4222 && IFS= read -r line <&3 && [[ $line == INFO* ]]' 2>/dev/null
}

postgres_start() {
  command -v pg_ctlcluster >/dev/null 2>&1 || { echo "pg_ctlcluster is not installed"; return 1; }
  [ -d /etc/postgresql ] || { echo "/etc/postgresql does not exist"; return 1; }
  # shellcheck disable=SC2046 # the version directory name, as in ENVIRONMENT.md
  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
}

nats_start() {
  [ -x /usr/sbin/nats-server ] || { echo "/usr/sbin/nats-server is not installed"; return 1; }
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
}

failed=0

# ensure NAME PROBE START REQUIRED: make sure the service answers.
ensure() {
  local name=$1 probe=$2 start=$3 required=$4
  if "$probe"; then
    echo "$name: up"
    return 0
  fi
  echo "$name: down, starting it"
  # Output goes to a file, not a pipe: a daemon that kept the pipe open
  # would make us wait for it forever.
  local log status=0 out
  log=$(mktemp)
  "$start" >"$log" 2>&1 </dev/null || status=$?
  out=$(head -c 500 "$log")
  rm -f "$log"
  local deadline=$((SECONDS + wait_seconds))
  until "$probe"; do
    if ((SECONDS >= deadline)); then
      local reason="$name did not answer within ${wait_seconds}s after the start command"
      if ((status != 0)); then
        reason+=" (which failed with status $status: ${out//$'\n'/ })"
      fi
      if [ "$required" = true ]; then
        echo "ERROR: $reason; the suites that need it may not skip under CI." >&2
        failed=1
      else
        echo "WARNING: $reason; the tests that need it will be skipped (set CI=true to make this an error)." >&2
      fi
      return 0
    fi
    sleep 0.5
  done
  echo "$name: up (started)"
}

pg_required=$ci
if [ "${RELAY_TEST_REQUIRE_POSTGRES:-}" = 1 ]; then pg_required=true; fi

ensure "PostgreSQL (127.0.0.1:5432)" postgres_up postgres_start "$pg_required"

# The rum extension lets PostgreSQL's search read matches in id order
# (store/search_rum.go; migrations/postgres/00013_search_index.sql). Debian
# packages it as postgresql-<version>-rum; the server picks it up without a
# restart. Without it searches use GIN alone, and under CI that is an error:
# the RUM path must be tested.
rum_available() {
  [ "$(psql -h 127.0.0.1 -U postgres -d postgres -Atqc "SELECT count(*) FROM pg_available_extensions WHERE name = 'rum'" 2>/dev/null)" = 1 ]
}

rum_install() {
  local version sudo=""
  # shellcheck disable=SC2012 # version directory names, as in ENVIRONMENT.md
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  [ -n "$version" ] || { echo "no /etc/postgresql/<version> to name the package after"; return 1; }
  if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; fi
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "postgresql-$version-rum"; } \
    >/tmp/relay-rum-install.log 2>&1 || { tail -5 /tmp/relay-rum-install.log; return 1; }
}

if postgres_up && command -v psql >/dev/null 2>&1; then
  if rum_available; then
    echo "PostgreSQL rum extension: available"
  else
    echo "PostgreSQL rum extension: missing, installing it"
    rum_install || true
    if rum_available; then
      echo "PostgreSQL rum extension: installed"
    elif [ "$pg_required" = true ]; then
      echo "ERROR: the PostgreSQL rum extension could not be installed; the search tests need it under CI." >&2
      failed=1
    else
      echo "WARNING: the PostgreSQL rum extension could not be installed; PostgreSQL search tests run with GIN only." >&2
    fi
  fi
fi
ensure "NATS (127.0.0.1:4222)" nats_up nats_start "$ci"

exit "$failed"
