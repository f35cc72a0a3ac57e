#!/usr/bin/env bash
# The benchmarks, with Redis started for the rows that measure it; services stopped after.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
scripts/services.sh start
trap 'scripts/services.sh stop' EXIT
set -a
eval "$(scripts/services.sh env)"
set +a
echo "== bench/dispatch.py"
"$PY" bench/dispatch.py
echo "== bench/behaviors.py"
"$PY" bench/behaviors.py
echo "== bench/endpoints.py"
"$PY" bench/endpoints.py
echo "== bench/results.py"
"$PY" bench/results.py
echo "== bench/engines.py"
"$PY" bench/engines.py
