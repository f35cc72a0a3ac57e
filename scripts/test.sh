#!/usr/bin/env bash
# The test suite as `make test` runs it: once on SQLite with the local-memory cache, and once
# on PostgreSQL with Redis (through django-redis). Both runs can reach Redis, so the tests that
# need Redis itself never skip here. The services are stopped whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTEST=${PYTEST:-.venv/bin/pytest}

# Debian's chromium for the real-browser test (tests/test_browser.py), installed when missing
FK_CHROMIUM=$(scripts/browser.sh)
export FK_CHROMIUM
scripts/services.sh start
trap 'scripts/services.sh stop' EXIT
set -a
eval "$(scripts/services.sh env)"
FK_REQUIRE_SERVICES=1  # a test that needs a service fails, never skips, when it is missing
set +a

echo "== pytest: SQLite, local-memory cache"
FK_TEST_DATABASE=sqlite FK_TEST_CACHE=locmem "$PYTEST" "$@"
echo "== pytest: PostgreSQL 15, Redis"
FK_TEST_DATABASE=postgres FK_TEST_CACHE=redis "$PYTEST" "$@"
