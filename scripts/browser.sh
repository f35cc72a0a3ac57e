#!/usr/bin/env bash
# Make sure the browser the real-browser tests drive (tests/test_browser.py) is here, and print
# its path: Debian's chromium package, installed with apt-get when missing and running as root.
# Playwright's own browser download does not work on the machines this project is tested on, so
# the tests launch this Chromium through Playwright's executable_path instead.
#
#   scripts/browser.sh          prints e.g. /usr/bin/chromium; exits 1, saying why, when it cannot
set -euo pipefail

find_chromium() {
  command -v chromium || command -v chromium-browser || true
}

path=$(find_chromium)
if [ -z "$path" ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "browser: chromium is missing and this is not root with apt-get;" \
      "install Debian's chromium package (apt-get install chromium)" >&2
    exit 1
  fi
  echo "browser: installing Debian's chromium (a minute or two)" >&2
  log=$(mktemp)
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
    >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    rm -f "$log"
    echo "browser: apt-get could not install chromium (see above)" >&2
    exit 1
  fi
  rm -f "$log"
  path=$(find_chromium)
  if [ -z "$path" ]; then
    echo "browser: chromium was installed but is not on PATH" >&2
    exit 1
  fi
fi
echo "$path"
