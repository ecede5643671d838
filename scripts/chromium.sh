#!/usr/bin/env bash
# Makes sure a Chromium for the browser tests is installed: Debian's
# `chromium` package (shared/ENVIRONMENT.md), installed with apt-get when
# missing. RELAY_CHROMIUM names another binary.
#
# Under CI=true a Chromium that cannot be had is an error (the browser tests
# may not skip there); otherwise it warns and the browser tests skip.
set -euo pipefail

bin=${RELAY_CHROMIUM:-/usr/bin/chromium}
if [ -x "$bin" ]; then
  exit 0
fi
echo "chromium: $bin not found; installing Debian's chromium package"
sudo=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; fi
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium; } >/tmp/relay-chromium-install.log 2>&1; then
  tail -20 /tmp/relay-chromium-install.log >&2 || true
  if [ "${CI:-}" = "true" ]; then
    echo "chromium: could not install Chromium; the browser tests cannot run" >&2
    exit 1
  fi
  echo "chromium: could not install Chromium; the browser tests will skip" >&2
  exit 0
fi
[ -x "$bin" ] || { echo "chromium: installed, but $bin is still missing" >&2; [ "${CI:-}" != "true" ] || exit 1; }
echo "chromium: $("$bin" --version 2>/dev/null || echo installed)"
