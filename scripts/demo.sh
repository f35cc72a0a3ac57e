#!/usr/bin/env bash
# `make demo`: migrate, load the demo data, then serve the example project with its workers
# beside the server: django-tasks-db's db_worker (the tasks) and the sweeper
# (`deliver_pending --loop`: the deliveries to background handlers, whatever became of their
# tasks). Stopping the server (Ctrl-C) stops the workers; so does stopping this script.
set -euo pipefail

PYTHON=${PYTHON:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py seed_demo

# Job control: each process started below leads a process group of its own, so one signal
# reaches it and its children (runserver's autoreloader runs the server in a child).
set -m
pids=()
stop() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    echo "Server and workers stopped."
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PYTHON" manage.py db_worker --no-reload &
pids+=($!)
"$PYTHON" manage.py deliver_pending --loop &
pids+=($!)
echo "Workers started: db_worker and the sweeper (deliver_pending --loop)."
"$PYTHON" manage.py runserver "$HOST:$PORT" &
server=$!
pids+=("$server")
# The script waits for the server: its end, or a signal to the script, stops the workers too.
# A worker stopped alone leaves the server up (its deliveries wait for it, or the other one).
wait "$server"
