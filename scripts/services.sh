#!/usr/bin/env bash
# Start or stop the services the test suite uses, on loopback only:
#   PostgreSQL 15 (the server binaries postgres, initdb and pg_ctl must be on PATH)
#   Redis 7 (installed with apt-get when missing and running as root)
#
#   scripts/services.sh start | stop | env
#
# `env` prints the variables the test settings read. Data lives in $FK_SERVICES_DIR
# (default /tmp/functionalkit-services-$UID) and is thrown away by `stop`.
set -euo pipefail

DIR=${FK_SERVICES_DIR:-/tmp/functionalkit-services-$(id -u)}
PG_PORT=${FK_PG_PORT:-54329}
REDIS_PORT=${FK_REDIS_PORT:-63799}

as_postgres() {
  # initdb refuses to run as root: run PostgreSQL as the unprivileged postgres user then.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_redis() {
  command -v redis-server >/dev/null && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "services: installing redis-server" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "services: redis-server is missing; install it (apt-get install redis-server)" >&2
    exit 1
  fi
}

ensure_postgres() {
  for tool in postgres initdb pg_ctl; do
    command -v "$tool" >/dev/null || { echo "services: $tool is not on PATH" >&2; exit 1; }
  done
}

start() {
  ensure_postgres
  ensure_redis
  stop >/dev/null 2>&1 || true
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  as_postgres initdb -D "$DIR/pg" -U postgres -A trust --no-sync -E UTF8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
  as_postgres pg_ctl -D "$DIR/pg" -l "$DIR/pg.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $PG_PORT -k $DIR -F -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$DIR/pg.log" >&2; exit 1; }
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save "" --appendonly no \
    --dir "$DIR" --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log"
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "services: PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT" >&2
}

stop() {
  if [ -f "$DIR/pg/postmaster.pid" ]; then
    as_postgres pg_ctl -D "$DIR/pg" -m fast -w stop >/dev/null || true
  fi
  if [ -f "$DIR/redis.pid" ]; then
    kill "$(cat "$DIR/redis.pid")" 2>/dev/null || true
    for _ in $(seq 50); do [ -f "$DIR/redis.pid" ] || break; sleep 0.1; done
  fi
  rm -rf "$DIR"
}

env_vars() {
  echo "FK_POSTGRES_URL=postgres://postgres@127.0.0.1:$PG_PORT/functionalkit"
  echo "FK_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) env_vars ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
