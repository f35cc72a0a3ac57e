"""Background handlers on real task engines: the task is a wake-up, the delivery table the truth.

django-tasks-db's ``db_worker`` (on this run's database: SQLite's test file or PostgreSQL) and
RQ's worker on the real Redis, started as processes (tests/workers.py) and killed with SIGKILL
in the middle of deliveries. Whatever the engine loses (a task left RUNNING, a job ended
FAILED, a wake-up never enqueued), one lease and one sweep later every delivery has taken
effect exactly once.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import Iterator
from io import StringIO

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from rq import Queue

from django_functionalkit import messenger
from django_functionalkit.delivery.runner import due
from django_functionalkit.models import Delivery, StoredEvent
from django_functionalkit.registry import registry
from tests import delivery_probe
from tests.delivery_probe import ParcelWeighed, ShipmentBooked
from tests.workers import ROOT, Worker, Workers, descendants, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

LEASE = 1.0  # seconds: a killed worker's delivery is free again this soon
TIMEOUT = 30.0
ENGINES = [
    pytest.param("default", id="db_worker"),
    pytest.param("rq", id="rq", marks=pytest.mark.requires_redis),
]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, restore_registry: None) -> Iterator[str]:
    """The task backend deliveries are enqueued on; the probe's handlers, registered here as in
    the workers (tests/tasksapp/handlers.py); RQ's Redis emptied before and after."""
    delivery_probe.register(registry)
    if request.param == "rq":
        request.getfixturevalue("rq_redis")
    with override_settings(
        FUNCTIONALKIT={
            "BEHAVIORS": [],
            "DELIVERY_LEASE_SECONDS": LEASE,
            "DELIVERY_TASK_BACKEND": request.param,
        }
    ):
        yield request.param


def start(workers: Workers, engine: str, *, wait: bool = True, sleep: float = 0.2) -> Worker:
    """A worker of ``engine`` that runs the probe's handlers (each ``sleep`` seconds long)."""
    workers.env.update(
        FK_WORKER_HANDLERS="1",
        FK_WORKER_LEASE_SECONDS=str(LEASE),
        FK_PROBE_SLEEP=str(sleep),
    )
    workers.env.pop("FK_PROBE_EXIT", None)
    return workers.db_worker(wait=wait) if engine == "default" else workers.rq_worker(wait=wait)


def queued(engine: str) -> int:
    """Tasks enqueued and not yet taken by a worker."""
    if engine == "default":
        return DBTaskResult.objects.filter(status="READY").count()
    import django_rq

    return Queue("default", connection=django_rq.get_connection("default")).count


def effects() -> list[str]:
    return sorted(Group.objects.values_list("name", flat=True))


def sweep() -> str:
    """One pass of the sweeper, in this process."""
    out = StringIO()
    call_command("deliver_pending", "--batch", "1000", stdout=out)
    return out.getvalue()


def owner_of(worker_pid: int, lease_owner: str) -> bool:
    """Whether a lease is held by the worker or by a process it started (RQ's work horse)."""
    pid = int(lease_owner.split(":")[1])
    return pid == worker_pid or pid in descendants(worker_pid)


# -- the kill test ---------------------------------------------------------------------------


def test_workers_killed_in_the_middle_of_deliveries_lose_nothing_and_repeat_nothing(
    workers: Workers, engine: str
) -> None:
    live = [start(workers, engine, wait=False), start(workers, engine, wait=False)]
    for worker in live:
        worker.wait_for_output("Starting worker" if engine == "default" else "Listening on")
    for order in range(24):
        messenger.publish(ShipmentBooked(order))

    kills = 0
    for _ in range(3):
        # A random moment, then the worker of a delivery its handler is running for.
        time.sleep(random.uniform(0.05, 0.3))  # noqa: S311 - not a secret
        wait_until(
            lambda: Delivery.objects.exclude(lease_owner="").exists(), TIMEOUT, "a delivery running"
        )
        leased = list(
            Delivery.objects.exclude(lease_owner="").values_list("lease_owner", flat=True)
        )
        victims = [w for w in live if any(owner_of(w.pid, owner) for owner in leased)]
        if not victims:
            continue  # it finished meanwhile
        victim = random.choice(victims)  # noqa: S311 - not a secret
        victim.kill()
        kills += 1
        live.remove(victim)
        live.append(start(workers, engine, wait=False))
    assert kills

    wait_until(lambda: queued(engine) == 0, TIMEOUT, "every wake-up taken by a worker")
    for worker in live:
        worker.stop()  # SIGTERM: each finishes the delivery it is running, then exits
    unfinished = Delivery.objects.exclude(status="succeeded").count()
    assert 1 <= unfinished <= kills  # what the killed workers held

    time.sleep(LEASE)
    swept = sweep()
    assert swept == f"pass 1: {unfinished} succeeded\n"

    rows = list(Delivery.objects.order_by("id"))
    assert {(d.status, d.lease_owner) for d in rows} == {("succeeded", "")}
    assert due() == []
    assert effects() == sorted(f"exit:{d.pk}" for d in rows)  # each exactly once
    assert sum(d.attempts == 2 for d in rows) == unfinished  # killed once, run again once


# -- the wake-up itself ----------------------------------------------------------------------


def test_each_new_delivery_is_enqueued_after_the_commit_and_a_worker_runs_it(
    workers: Workers, engine: str
) -> None:
    start(workers, engine, sleep=0)
    with transaction.atomic():
        messenger.publish(ShipmentBooked(1))
        messenger.publish(ShipmentBooked(2))
        assert queued(engine) == 0  # not before the commit: no worker looks for rows unseen

    wait_until(
        lambda: set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"},
        TIMEOUT,
        "both deliveries run by the worker",
    )
    assert effects() == sorted(f"exit:{pk}" for pk in Delivery.objects.values_list("pk", flat=True))
    assert due() == []


def test_a_rolled_back_transaction_writes_no_event_no_delivery_and_enqueues_no_task(
    workers: Workers, engine: str
) -> None:
    start(workers, engine, sleep=0)

    @transaction.atomic
    def publish_then_fail() -> None:
        messenger.publish(ShipmentBooked(1))
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        publish_then_fail()
    messenger.publish(ShipmentBooked(2))  # the worker is up: it runs this one, and only this

    wait_until(
        lambda: Delivery.objects.filter(status="succeeded").exists(), TIMEOUT, "the delivery run"
    )
    time.sleep(0.3)  # a few more polls of the worker
    [delivery] = Delivery.objects.all()
    assert [e.payload for e in StoredEvent.objects.all()] == [{"order_id": 2}]
    assert effects() == [f"exit:{delivery.pk}"]
    if engine == "default":
        assert list(DBTaskResult.objects.values_list("args_kwargs", flat=True)) == [
            {"args": [delivery.pk], "kwargs": {}}
        ]
    else:  # one job ever reached Redis: the committed one's
        import django_rq

        rq = Queue("default", connection=django_rq.get_connection("default"))
        assert (rq.count, rq.finished_job_registry.count, rq.failed_job_registry.count) == (0, 1, 0)


def test_of_three_handlers_one_fails_and_the_other_two_run_once_each(
    workers: Workers, engine: str
) -> None:
    start(workers, engine, sleep=0)
    messenger.publish(ParcelWeighed(1))

    def settled() -> bool:
        return Delivery.objects.filter(attempts__gte=1, lease_owner="").count() == 3

    wait_until(settled, TIMEOUT, "the three deliveries run once")
    for _ in range(3):  # the failing one's retries (no backoff in the probe's policy)
        sweep()

    by_handler = {d.handler.rsplit(".", 1)[1]: d for d in Delivery.objects.all()}
    assert {h: (d.status, d.attempts) for h, d in by_handler.items()} == {
        "weigh": ("succeeded", 1),
        "stamp": ("succeeded", 1),
        "refuse": ("dead", 3),
    }
    assert by_handler["refuse"].last_error == "ConnectionError: the scale is down"
    assert effects() == sorted(f"{h}:{by_handler[h].pk}" for h in ("stamp", "weigh"))


def test_several_workers_never_run_one_delivery_at_once_while_its_lease_holds(
    workers: Workers, engine: str
) -> None:
    from django_functionalkit.delivery.tasks import deliver

    live = [start(workers, engine, wait=False, sleep=0.5) for _ in range(3)]
    for worker in live:
        worker.wait_for_output("Starting worker" if engine == "default" else "Listening on")
    messenger.publish(ShipmentBooked(1))
    [delivery] = Delivery.objects.all()
    results = [deliver.using(backend=engine).enqueue(delivery.pk) for _ in range(6)]

    def finished() -> bool:
        for result in results:
            result.refresh()
        return all(r.is_finished for r in results)

    wait_until(finished, TIMEOUT, "the duplicate wake-ups run")
    wait_until(
        lambda: Delivery.objects.filter(status="succeeded").exists(), TIMEOUT, "the delivery run"
    )
    # Seven wake-ups (the publish's own and six more) on three workers: one ran the handler.
    outcomes = sorted(r.return_value for r in results)
    assert outcomes in (["not claimed"] * 6, ["not claimed"] * 5 + ["succeeded"])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)  # claimed once, by one
    assert effects() == [f"exit:{delivery.pk}"]


def test_async_publish_enqueues_after_the_commit_and_never_after_a_rollback(
    restore_registry: None,
) -> None:
    delivery_probe.register(registry)

    async def publish(order: int) -> None:
        await messenger.apublish(ShipmentBooked(order))

    with override_settings(FUNCTIONALKIT={"BEHAVIORS": []}):
        async_to_sync(publish)(1)  # outside a transaction: at once
        with transaction.atomic():
            async_to_sync(publish)(2)
            assert DBTaskResult.objects.count() == 1

        @transaction.atomic
        def publish_then_fail() -> None:
            async_to_sync(publish)(3)
            raise ZeroDivisionError

        with pytest.raises(ZeroDivisionError):
            publish_then_fail()

    enqueued = [r["args"] for r in DBTaskResult.objects.values_list("args_kwargs", flat=True)]
    assert sorted(enqueued) == [
        [pk] for pk in Delivery.objects.order_by("pk").values_list("pk", flat=True)
    ]
    assert len(enqueued) == 2


# -- a process that dies between the commit and the enqueue ----------------------------------

DIE_AFTER_COMMIT = """
import os
import django
django.setup()
from django.db import transaction
from django.test import override_settings
from django_functionalkit import messenger
from django_functionalkit.delivery import tasks
from django_functionalkit.registry import registry
from tests import delivery_probe

def die(delivery_ids):
    os._exit(7)  # the process is gone, with its wake-ups: before a single one is enqueued

tasks.wake = die
delivery_probe.register(registry)
with override_settings(FUNCTIONALKIT={"BEHAVIORS": []}):
    with transaction.atomic():
        for order in range(5):
            messenger.publish(delivery_probe.ShipmentBooked(order))
raise SystemExit("not reached: the after-commit hook exits")
"""


def test_a_process_that_dies_between_commit_and_enqueue_loses_nothing(
    workers: Workers, restore_registry: None
) -> None:
    delivery_probe.register(registry)
    done = subprocess.run(  # noqa: S603 - this interpreter, the test's own code
        [sys.executable, "-c", DIE_AFTER_COMMIT],
        cwd=ROOT,
        env={**workers.env, "DJANGO_SETTINGS_MODULE": "tests.settings_worker"},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 7, done.stderr.decode()

    assert Delivery.objects.filter(status="pending").count() == 5  # committed...
    assert DBTaskResult.objects.count() == 0  # ...and never enqueued
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": []}):
        assert sweep() == "pass 1: 5 succeeded\n"
    rows = list(Delivery.objects.all())
    assert {(d.status, d.attempts) for d in rows} == {("succeeded", 1)}
    assert effects() == sorted(f"exit:{d.pk}" for d in rows)


# -- no engine, or one that runs nothing -----------------------------------------------------


def test_an_enqueue_that_fails_is_logged_and_the_sweeper_runs_the_delivery(
    restore_registry: None, caplog: pytest.LogCaptureFixture
) -> None:
    delivery_probe.register(registry)
    fk = {"BEHAVIORS": [], "DELIVERY_TASK_BACKEND": "down"}
    down = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
        "down": {"BACKEND": "nowhere.Backend"},
    }
    with override_settings(FUNCTIONALKIT=fk, TASKS=down), caplog.at_level("ERROR"):
        with transaction.atomic():
            messenger.publish(ShipmentBooked(1))  # the commit goes through
        [delivery] = Delivery.objects.all()
        assert [r.getMessage() for r in caplog.records] == [
            f"Delivery {delivery.pk} could not be enqueued on task backend 'down'; "
            "the sweeper (manage.py deliver_pending) will run it"
        ]
        assert sweep() == "pass 1: 1 succeeded\n"


def test_without_a_task_backend_nothing_is_enqueued(restore_registry: None) -> None:
    delivery_probe.register(registry)
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [], "DELIVERY_TASK_BACKEND": None}):
        messenger.publish(ShipmentBooked(1))
    assert (Delivery.objects.filter(status="pending").count(), DBTaskResult.objects.count()) == (
        1,
        0,
    )


def test_on_the_immediate_backend_the_delivery_runs_in_the_publishing_process_after_commit(
    restore_registry: None,
) -> None:
    delivery_probe.register(registry)
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": []}, TASKS=immediate):
        with transaction.atomic():
            messenger.publish(ShipmentBooked(1))
            assert effects() == []  # not before the commit
        [delivery] = Delivery.objects.all()
        assert (delivery.status, effects()) == ("succeeded", [f"exit:{delivery.pk}"])


def test_on_the_dummy_backend_nothing_runs_until_the_sweeper(restore_registry: None) -> None:
    delivery_probe.register(registry)
    dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": []}, TASKS=dummy):
        messenger.publish(ShipmentBooked(1))
        assert (Delivery.objects.get().status, effects()) == ("pending", [])
        assert sweep() == "pass 1: 1 succeeded\n"


@pytest.mark.parametrize(
    "fk",
    [
        {"DELIVERY_TASK_BACKEND": ""},
        {"DELIVERY_TASK_BACKEND": ["rq"]},
        {"DELIVERY_QUEUE": None},
        {"DELIVERY_QUEUE": ""},
    ],
)
def test_wrong_wake_up_settings_are_refused(fk: dict[str, object]) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from django_functionalkit.conf import get_config

    with (
        override_settings(FUNCTIONALKIT=fk),
        pytest.raises(ImproperlyConfigured, match=next(iter(fk))),
    ):
        get_config()
