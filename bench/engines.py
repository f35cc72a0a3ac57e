"""The bare task engines on this machine: no-op tasks through real workers, and one enqueue.

Run with ``make bench`` (scripts/bench.sh starts PostgreSQL and Redis and sets FK_POSTGRES_URL
and FK_REDIS_URL). The baseline bench/delivery.py compares durable delivery against: tasks per
second of django-tasks-db's ``db_worker`` on PostgreSQL (one and two workers, connections
closed after every task as with Django's default ``CONN_MAX_AGE=0``, or kept) and of RQ's
forking worker (one and two), and what one ``task.enqueue()`` costs on each backend. Workers are
real processes (tests/workers.py) on a database created for the run and dropped after it.
Throughput is measured between 10 % and 90 % of a queue filled before the workers may start, so
start-up and the last stragglers do not count. Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import timeit
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import django

for variable in ("FK_POSTGRES_URL", "FK_REDIS_URL"):
    if not os.environ.get(variable):
        raise SystemExit(f"{variable} is not set: run scripts/bench.sh (make bench)")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update(
    DJANGO_SETTINGS_MODULE="tests.settings", FK_TEST_DATABASE="postgres", FK_TEST_CACHE="redis"
)
django.setup()

import django_rq  # noqa: E402 - Django must be set up first
from django.db import connection, transaction  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402
from rq import Queue  # noqa: E402
from rq.suspension import resume, suspend  # noqa: E402

from tests.tasksapp.tasks import nothing  # noqa: E402
from tests.workers import Workers, forget_rq, wait_until  # noqa: E402

ENQUEUES = 300
DB_TASKS = 600
RQ_TASKS = 150
PERSISTENT = "600"  # seconds: CONN_MAX_AGE of the "persistent connections" workers
TIMEOUT = 120.0


def tasks_per_second(total: int, done: Callable[[], int]) -> float:
    """The rate at which ``done()`` climbs from 10 % to 90 % of ``total``."""
    low, high = total // 10, total - total // 10
    wait_until(lambda: done() >= low, TIMEOUT, f"{low} tasks done")
    started = time.perf_counter()
    wait_until(lambda: done() >= high, TIMEOUT, f"{high} tasks done")
    return (high - low) / (time.perf_counter() - started)


@contextmanager
def workers(**settings_env: str) -> Iterator[Workers]:
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as logs:
        pool = Workers(Path(logs), **settings_env)
        try:
            yield pool
        finally:
            pool.close()


def db_workers(count: int, conn_max_age: str) -> float:
    """Start ``count`` idle db_workers, then commit a full queue at once and time it."""
    DBTaskResult.objects.all().delete()
    with workers(FK_WORKER_CONN_MAX_AGE=conn_max_age) as pool:
        for worker in [pool.db_worker(wait=False) for _ in range(count)]:
            worker.wait_for_output("Starting worker")
        with transaction.atomic():  # every task visible to the workers at the same moment
            for _ in range(DB_TASKS):
                nothing.enqueue()
        return tasks_per_second(DB_TASKS, DBTaskResult.objects.successful().count)


def rq_workers(count: int) -> float:
    """Start ``count`` RQ workers on a suspended queue, fill it, then resume them and time it."""
    redis = django_rq.get_connection("default")
    forget_rq(redis)
    suspend(redis)
    on_rq = nothing.using(backend="rq")
    try:
        with workers() as pool:
            for worker in [pool.rq_worker(wait=False) for _ in range(count)]:
                worker.wait_for_output("Listening on")
            for _ in range(RQ_TASKS):
                on_rq.enqueue()
            resume(redis)
            finished = Queue("default", connection=redis).finished_job_registry
            return tasks_per_second(RQ_TASKS, lambda: finished.count)
    finally:
        resume(redis)
        forget_rq(redis)


def ms_per_enqueue(enqueue: Callable[[], object]) -> float:
    return min(timeit.repeat(enqueue, number=ENQUEUES, repeat=3)) / ENQUEUES * 1e3


def main() -> None:
    connection.settings_dict["TEST"]["NAME"] = f"bench_engines_{os.getpid()}"
    original_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        enqueue_db = ms_per_enqueue(nothing.enqueue)
        enqueue_rq = ms_per_enqueue(nothing.using(backend="rq").enqueue)
        forget_rq(django_rq.get_connection("default"))
        db_rows = [
            ("db_worker x1, CONN_MAX_AGE=0", db_workers(1, "0")),
            ("db_worker x1, persistent connections", db_workers(1, PERSISTENT)),
            ("db_worker x2, CONN_MAX_AGE=0", db_workers(2, "0")),
            ("db_worker x2, persistent connections", db_workers(2, PERSISTENT)),
        ]
        rq_rows = [("rqworker x1 (forks per job)", rq_workers(1)), ("rqworker x2", rq_workers(2))]
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)

    print(f"{'engine, no-op tasks':40} {'tasks/s':>8} {'ratio':>7}")
    for rows in (db_rows, rq_rows):
        for name, rate in rows:
            print(f"{name:40} {rate:8.0f} {rate / rows[0][1]:7.2f}")
    print(f"{'one task.enqueue()':40} {'ms':>8} {'ratio':>7}")
    print(f"{'database backend (an INSERT)':40} {enqueue_db:8.2f} {1:7.2f}")
    print(f"{'RQ backend (Redis writes)':40} {enqueue_rq:8.2f} {enqueue_rq / enqueue_db:7.2f}")


if __name__ == "__main__":
    main()
