"""The task engines with real worker processes: what they do, and what they do not give you.

django-tasks-db's ``db_worker`` on this run's database (SQLite's test file, PostgreSQL's test
database) and RQ's worker on Redis, started and stopped or killed by the tests (tests/workers.py).
The tests marked "not given" pin down the engines' gaps that durable notifications must close
(docs/dependencies.md): if an upgrade closes one, its test fails and says which.
"""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult
from redis import Redis
from rq import Queue
from rq.registry import StartedJobRegistry

from django_functionalkit.tasks_api import TaskResult, TaskResultStatus, task_backends
from tests.tasksapp.models import Run
from tests.tasksapp.tasks import record, record_then_sleep
from tests.workers import Workers, alive, descendants, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 30.0  # for what a worker does; a worker usually takes well under a second


def labels() -> list[str]:
    return sorted(Run.objects.values_list("label", flat=True))


def wait_for_rows(count: int, timeout: float = TIMEOUT) -> None:
    wait_until(lambda: Run.objects.count() >= count, timeout, f"{count} rows written")


def statuses() -> list[str]:
    return sorted(DBTaskResult.objects.values_list("status", flat=True))


# -- django-tasks-db ---------------------------------------------------------------------------


def test_a_db_worker_runs_every_enqueued_task_once(workers: Workers) -> None:
    for n in range(20):
        record.enqueue(f"task {n:02}")
    workers.db_worker()

    wait_for_rows(20)
    wait_until(lambda: statuses() == ["SUCCESSFUL"] * 20, TIMEOUT, "every task marked done")
    assert labels() == [f"task {n:02}" for n in range(20)]


def test_two_db_workers_share_the_queue_and_never_run_a_task_twice(workers: Workers) -> None:
    first, second = workers.db_worker(wait=False), workers.db_worker(wait=False)
    for worker in (first, second):
        worker.wait_for_output("Starting worker")
    for n in range(30):
        record_then_sleep.enqueue(f"task {n:02}", 0.05)

    wait_until(lambda: statuses() == ["SUCCESSFUL"] * 30, TIMEOUT, "every task marked done")
    started = Run.objects.exclude(label__endswith=":done")
    assert sorted(started.values_list("label", flat=True)) == [f"task {n:02}" for n in range(30)]
    assert set(started.values_list("pid", flat=True)) == {first.pid, second.pid}
    assert {len(ids) for ids in DBTaskResult.objects.values_list("worker_ids", flat=True)} == {1}


def test_a_db_worker_stopped_with_sigterm_finishes_its_task_then_exits(workers: Workers) -> None:
    worker = workers.db_worker()
    result = record_then_sleep.enqueue("graceful", 0.5)
    wait_for_rows(1)

    assert worker.stop() == 0
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert labels() == ["graceful", "graceful:done"]


def test_not_given_a_db_worker_killed_mid_task_leaves_it_running_forever(
    workers: Workers,
) -> None:
    # django-tasks-db marks a claimed task RUNNING with no lease or heartbeat (its issue #46):
    # nothing ever notices that its worker died, and no other worker takes it.
    killed = workers.db_worker()
    victim = record_then_sleep.enqueue("victim", 20)
    wait_for_rows(1)
    killed.kill()

    workers.db_worker()
    record.enqueue("after")  # the new worker is up and polling: it runs this one
    wait_until(lambda: "after" in labels(), TIMEOUT, "the second worker running a task")
    time.sleep(0.3)  # a few more polls of the new worker

    victim.refresh()
    assert victim.status == TaskResultStatus.RUNNING
    assert victim.worker_ids == [killed.name]
    assert labels() == ["after", "victim"]  # started once, never finished, never re-run


def test_the_database_queue_is_transactional(workers: Workers) -> None:
    # The one guarantee it does give: the task row is written in the enqueuing transaction.
    with transaction.atomic():
        record.enqueue("rolled back")
        transaction.set_rollback(True)
    record.enqueue("committed")
    workers.db_worker()

    wait_for_rows(1)
    time.sleep(0.3)
    assert labels() == ["committed"]
    assert statuses() == ["SUCCESSFUL"]


# -- RQ (django-tasks-rq) ----------------------------------------------------------------------

rq_only = pytest.mark.requires_redis


def on_rq(label: str) -> TaskResult[None]:
    return record.using(backend="rq").enqueue(label)


def sleep_on_rq(label: str, seconds: float) -> TaskResult[None]:
    return record_then_sleep.using(backend="rq").enqueue(label, seconds)


def rq_status(result_id: str) -> TaskResultStatus:
    return task_backends["rq"].get_result(result_id).status


@rq_only
def test_an_rq_worker_runs_every_enqueued_task_once(workers: Workers, rq_redis: Redis) -> None:
    results = [on_rq(f"task {n:02}") for n in range(10)]
    workers.rq_worker()

    wait_for_rows(10)
    wait_until(
        lambda: {rq_status(r.id) for r in results} == {TaskResultStatus.SUCCESSFUL},
        TIMEOUT,
        "every job finished",
    )
    assert labels() == [f"task {n:02}" for n in range(10)]


@rq_only
def test_two_rq_workers_share_the_queue_and_never_run_a_task_twice(
    workers: Workers, rq_redis: Redis
) -> None:
    first, second = workers.rq_worker(wait=False), workers.rq_worker(wait=False)
    for worker in (first, second):
        worker.wait_for_output("Listening on")
    results = [sleep_on_rq(f"task {n:02}", 0.1) for n in range(12)]

    wait_until(
        lambda: {rq_status(r.id) for r in results} == {TaskResultStatus.SUCCESSFUL},
        TIMEOUT,
        "every job finished",
    )
    started = Run.objects.exclude(label__endswith=":done")
    assert sorted(started.values_list("label", flat=True)) == [f"task {n:02}" for n in range(12)]
    runs = [task_backends["rq"].get_result(r.id).worker_ids for r in results]
    assert {len(names) for names in runs} == {1}
    assert {name for names in runs for name in names} == {first.name, second.name}


@rq_only
def test_not_given_an_rq_job_whose_worker_is_killed_ends_failed_and_never_runs_again(
    workers: Workers, rq_redis: Redis
) -> None:
    killed = workers.rq_worker()
    victim = sleep_on_rq("victim", 20)
    wait_for_rows(1)
    horse = descendants(killed.pid)  # RQ's work horse, which runs the job in a group of its own
    assert horse
    killed.kill()
    wait_until(lambda: not any(map(alive, horse)), 5, "the work horse killed with its worker")
    assert rq_status(victim.id) == TaskResultStatus.RUNNING  # nobody knows yet

    # RQ's maintenance moves a job whose worker stopped its heartbeat (90 s by default) to the
    # failed registry: done here at once, as a live worker would do it after that time.
    StartedJobRegistry(queue=Queue("default", connection=rq_redis)).cleanup(time.time() + 3600)
    assert rq_status(victim.id) == TaskResultStatus.FAILED
    assert "AbandonedJobError" in (task_backends["rq"].get_result(victim.id).errors[-1].traceback)

    # No retry is configured: a new worker with an empty queue finds nothing to run.
    assert workers.rq_worker("--burst").process.wait(TIMEOUT) == 0
    assert labels() == ["victim"]


@rq_only
def test_not_given_an_rq_enqueue_is_not_part_of_the_database_transaction(
    workers: Workers, rq_redis: Redis
) -> None:
    # The job is a Redis write, made at once: a rolled-back transaction does not take it back.
    with transaction.atomic():
        Run.objects.create(label="rolled back row", pid=0)
        on_rq("rolled back job")
        transaction.set_rollback(True)
    workers.rq_worker()

    wait_for_rows(1)
    assert labels() == ["rolled back job"]
