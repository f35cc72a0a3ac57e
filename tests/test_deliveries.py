"""Background handlers: delivery rows written with the event, claimed under a lease, run with
their writes and success mark in one transaction, fenced, retried, dead; the sweeper."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from django_functionalkit import (
    DomainEvent,
    Messenger,
    Notification,
    Query,
    Stored,
    handler,
    messenger,
)
from django_functionalkit.context import current_context, set_actor
from django_functionalkit.delivery.policy import PermanentError, RetryPolicy
from django_functionalkit.delivery.runner import current_delivery, due, run_delivery
from django_functionalkit.models import Delivery, StoredEvent
from django_functionalkit.registry import Registry, make_spec, registry

from . import delivery_probe
from .delivery_probe import QUICK, ShipmentBooked, effect

real_commits = pytest.mark.django_db(transaction=True)
postgres_only = pytest.mark.database("postgresql")


@dataclass(frozen=True)
class ParcelSent(DomainEvent):
    parcel_id: int


ran: list[str] = []


def label(event: ParcelSent) -> None:
    ran.append("label")
    effect("label")


def invoice(event: ParcelSent) -> None:
    ran.append("invoice")
    effect("invoice")


def tracking(event: ParcelSent) -> None:
    ran.append("tracking")
    effect("tracking")
    raise ConnectionError("the carrier is down")


def inline(event: ParcelSent) -> None:
    ran.append("inline")


def background(*targets: Any, policy: RetryPolicy = QUICK, inline_too: bool = False) -> Messenger:
    handlers = Registry()
    for target in targets:
        handlers.register(make_spec(target, options={"background": True, "retry": policy}))
    if inline_too:
        handlers.register(make_spec(inline))
    return Messenger(handlers, behaviors=[])


@pytest.fixture(autouse=True)
def _nothing_ran() -> None:
    ran.clear()


def deliveries(**filters: Any) -> list[Delivery]:
    return list(Delivery.objects.filter(**filters).order_by("handler"))


def effects(prefix: str = "") -> list[str]:
    return sorted(Group.objects.filter(name__startswith=prefix).values_list("name", flat=True))


def drain(publisher: Messenger, rounds: int = 10) -> list[str]:
    """Run what is due until nothing is (the retries of QUICK are due at once)."""
    outcomes = []
    for _ in range(rounds):
        ids = due()
        if not ids:
            break
        outcomes += [run_delivery(i, messenger=publisher) for i in ids]
    return outcomes


# -- @handler(background=True) -------------------------------------------------------------------


@dataclass(frozen=True)
class Pinged(Notification):
    n: int


@dataclass(frozen=True)
class PriceChanged(Notification, Stored):
    product_id: int


@dataclass(frozen=True)
class GetPrice(Query[int]):
    product_id: int


def test_background_is_an_option_of_stored_notification_handlers(restore_registry: None) -> None:
    @handler(background=True, retry=RetryPolicy(attempts=2))
    def on_price(event: PriceChanged) -> None: ...

    [spec] = registry.notification_handlers(PriceChanged)
    assert spec.background
    assert spec.options["retry"] == RetryPolicy(attempts=2)


def test_a_background_query_handler_is_a_type_error(restore_registry: None) -> None:
    with pytest.raises(TypeError, match="only notification handlers run in the background"):

        @handler(background=True)
        def get_price(query: GetPrice) -> int:
            return 1

    assert registry.handler_for(GetPrice) is None


def test_a_background_handler_of_an_unstored_notification_is_a_type_error(
    restore_registry: None,
) -> None:
    with pytest.raises(TypeError, match="Pinged must be stored"):

        @handler(background=True)
        def on_ping(event: Pinged) -> None: ...


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"background": "yes"}, "True or False"),
        ({"background": True, "retry": 3}, "is a RetryPolicy"),
        ({"retry": RetryPolicy()}, "add background=True"),
    ],
)
def test_wrong_background_options_are_type_errors(options: dict[str, Any], error: str) -> None:
    with pytest.raises(TypeError, match=error):
        handler(**options)


def test_a_retry_policy_checks_its_numbers() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="backoff_cap"):
        RetryPolicy(backoff_cap=-1)


def test_backoff_is_full_jitter_under_the_cap() -> None:
    policy = RetryPolicy(backoff_base=2, backoff_cap=10)
    delays = [policy.delay(attempt) for attempt in (1, 2, 3, 10) for _ in range(200)]
    assert all(0 <= d <= 10 for d in delays)
    assert max(policy.delay(1) for _ in range(200)) <= 4  # min(10, 2 * 2**1)
    assert len(set(delays)) > 100  # random, not one fixed delay


@real_commits
def test_publish_writes_one_delivery_per_background_handler_and_runs_only_inline_ones() -> None:
    publisher = background(label, invoice, inline_too=True)
    publisher.publish(ParcelSent(1))

    assert ran == ["inline"]
    [event] = StoredEvent.objects.all()
    assert [
        (d.event_id, d.handler, d.status, d.attempts, d.max_attempts) for d in deliveries()
    ] == [
        (event.pk, "tests.test_deliveries.invoice", "pending", 0, 3),
        (event.pk, "tests.test_deliveries.label", "pending", 0, 3),
    ]


@real_commits
def test_a_rolled_back_transaction_leaves_no_event_no_delivery_and_runs_nothing() -> None:
    publisher = background(label, inline_too=True)
    written: list[int] = []

    @transaction.atomic
    def publish_then_fail() -> None:
        publisher.publish(ParcelSent(1))
        written.append(Delivery.objects.count())  # written in the transaction...
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        publish_then_fail()

    assert written == [1]

    assert (StoredEvent.objects.count(), Delivery.objects.count()) == (0, 0)  # ...and undone
    assert drain(publisher) == []
    assert ran == []


@real_commits
def test_async_publish_writes_the_deliveries_in_the_transaction_too() -> None:
    publisher = background(label)

    async def publish_then_fail() -> None:
        await publisher.apublish(ParcelSent(2))

    async_to_sync(publish_then_fail)()
    assert [d.handler for d in deliveries()] == ["tests.test_deliveries.label"]

    @transaction.atomic
    def in_rolled_back_transaction() -> None:
        async_to_sync(publish_then_fail)()
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        in_rolled_back_transaction()
    assert Delivery.objects.count() == 1


@real_commits
def test_a_delivery_without_a_policy_takes_delivery_retry() -> None:
    handlers = Registry()
    handlers.register(make_spec(label, options={"background": True}))
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [], "DELIVERY_RETRY": {"attempts": 7}}):
        Messenger(handlers, behaviors=[]).publish(ParcelSent(3))
    assert [d.max_attempts for d in deliveries()] == [7]


# -- running deliveries --------------------------------------------------------------------------


@real_commits
def test_one_failing_handler_of_three_retries_then_dies_and_the_others_run_once() -> None:
    publisher = background(label, invoice, tracking)
    publisher.publish(ParcelSent(1))

    drain(publisher)

    assert sorted(ran) == ["invoice", "label", "tracking", "tracking", "tracking"]
    by_handler = {d.handler.rsplit(".", 1)[1]: d for d in deliveries()}
    assert {h: (d.status, d.attempts) for h, d in by_handler.items()} == {
        "invoice": ("succeeded", 1),
        "label": ("succeeded", 1),
        "tracking": ("dead", 3),
    }
    dead = by_handler["tracking"]
    assert dead.last_error == "ConnectionError: the carrier is down"
    assert 'raise ConnectionError("the carrier is down")' in dead.traceback
    # The failing handler's writes rolled back with each attempt; the others' committed once.
    assert effects() == sorted(f"{h}:{by_handler[h].pk}" for h in ("invoice", "label"))


@real_commits
def test_a_failure_schedules_a_retry_after_a_jittered_backoff() -> None:
    publisher = background(tracking, policy=RetryPolicy(attempts=3, backoff_base=60))
    publisher.publish(ParcelSent(1))
    [delivery] = deliveries()
    before = timezone.now()

    assert run_delivery(delivery.pk, messenger=publisher) == "retrying"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.lease_owner) == ("pending", 1, "")
    assert before <= delivery.next_run_at <= before + timedelta(seconds=121)
    assert run_delivery(delivery.pk, messenger=publisher) == "not claimed"  # not due yet


def refuse(event: ParcelSent) -> None:
    ran.append("refuse")
    raise PermanentError("the parcel does not exist")


@real_commits
def test_a_permanent_error_is_dead_at_once() -> None:
    publisher = background(refuse)
    publisher.publish(ParcelSent(1))
    assert drain(publisher) == ["dead"]
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, ran) == ("dead", 1, ["refuse"])
    assert delivery.last_error == "PermanentError: the parcel does not exist"


def write_then_raise(event: ParcelSent) -> None:
    effect("written")
    raise RuntimeError("after writing")


@real_commits
def test_a_handler_that_raises_after_writing_leaves_no_write() -> None:
    publisher = background(write_then_raise)
    publisher.publish(ParcelSent(1))
    drain(publisher)
    assert effects() == []
    assert [(d.status, d.attempts) for d in deliveries()] == [("dead", 3)]


seen: list[Any] = []


def observe(event: ParcelSent) -> None:
    seen.append((current_delivery(), current_context().actor))


@real_commits
def test_the_handler_runs_as_the_events_actor_and_knows_its_delivery(
    django_user_model: Any,
) -> None:
    seen.clear()
    ada = django_user_model.objects.create_user("ada")
    publisher = background(observe)
    with set_actor(ada):
        publisher.publish(ParcelSent(1))
    [delivery] = deliveries()

    assert run_delivery(delivery.pk, messenger=publisher, owner="worker-1") == "succeeded"

    [(running, actor)] = seen
    assert actor == ada
    assert (running.id, running.event_id, running.attempt, running.owner) == (
        delivery.pk,
        delivery.event_id,
        1,
        "worker-1",
    )
    assert running.idempotency_key == f"fk-delivery-{delivery.pk}"
    assert current_delivery() is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.lease_owner, delivery.lease_expires_at) == (
        "succeeded",
        "",
        None,
    )


@real_commits
def test_a_succeeded_delivery_is_never_claimed_again() -> None:
    publisher = background(label)
    publisher.publish(ParcelSent(1))
    [delivery] = deliveries()
    assert run_delivery(delivery.pk, messenger=publisher) == "succeeded"
    Delivery.objects.update(next_run_at=timezone.now() - timedelta(hours=1))
    assert run_delivery(delivery.pk, messenger=publisher) == "not claimed"
    assert ran == ["label"]


def taken_over(event: ParcelSent) -> None:
    """The lease is lost while the handler runs: another owner claimed the next attempt."""
    effect("stale")
    running = current_delivery()
    assert running is not None
    Delivery.objects.filter(pk=running.id).update(
        lease_owner="someone-else", attempts=F("attempts") + 1
    )


@real_commits
def test_a_write_back_by_an_owner_that_lost_its_lease_is_refused_and_rolls_back() -> None:
    publisher = background(taken_over)
    publisher.publish(ParcelSent(1))
    [delivery] = deliveries()

    assert run_delivery(delivery.pk, messenger=publisher) == "fenced"

    assert effects() == []  # the handler's write rolled back with the refused mark
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)


gate = threading.Event()
entered = threading.Event()


def slow_then_write(event: ParcelSent) -> None:
    running = current_delivery()
    assert running is not None
    if running.owner == "stale":
        entered.set()
        assert gate.wait(10)
    effect(running.owner)


@postgres_only
@real_commits
def test_a_stale_owner_whose_lease_expired_cannot_overwrite_the_new_owner() -> None:
    gate.clear()
    entered.clear()
    publisher = background(slow_then_write)
    publisher.publish(ParcelSent(1))
    [delivery] = deliveries()
    outcome: list[str] = []

    def stale_worker() -> None:
        try:
            outcome.append(run_delivery(delivery.pk, messenger=publisher, owner="stale"))
        finally:
            connection.close()

    first = threading.Thread(target=stale_worker)
    first.start()
    assert entered.wait(10)
    # The lease runs out while the first worker is still in its handler.
    Delivery.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert run_delivery(delivery.pk, messenger=publisher, owner="fresh") == "succeeded"
    gate.set()
    first.join(10)

    assert outcome == ["fenced"]
    assert effects() == [f"fresh:{delivery.pk}"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)


# -- the sweeper ----------------------------------------------------------------------------------


@real_commits
def test_deliver_pending_runs_what_is_due_in_one_pass(restore_registry: None) -> None:
    for target in (label, invoice):
        registry.register(make_spec(target, options={"background": True, "retry": QUICK}))
    messenger.publish(ParcelSent(1))

    call_command("deliver_pending", stdout=(out := _Output()))

    assert sorted(ran) == ["invoice", "label"]
    assert out.text == "pass 1: 2 succeeded\n"
    assert {d.status for d in deliveries()} == {"succeeded"}


@real_commits
def test_deliver_pending_loops_for_a_bounded_number_of_passes(restore_registry: None) -> None:
    registry.register(make_spec(tracking, options={"background": True, "retry": QUICK}))
    messenger.publish(ParcelSent(1))

    call_command("deliver_pending", "--loop", "--interval", "0", "--max-passes", "5")

    assert ran == ["tracking"] * 3
    assert [(d.status, d.attempts) for d in deliveries()] == [("dead", 3)]


@real_commits
def test_the_sweeper_takes_over_a_lease_that_expired(restore_registry: None) -> None:
    registry.register(make_spec(label, options={"background": True, "retry": QUICK}))
    messenger.publish(ParcelSent(1))
    # A worker claimed it (attempt 1) and vanished.
    Delivery.objects.update(
        attempts=1, lease_owner="gone", lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    call_command("deliver_pending")
    assert ran == []  # its lease still holds

    Delivery.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    call_command("deliver_pending")
    assert ran == ["label"]
    assert [(d.status, d.attempts) for d in deliveries()] == [("succeeded", 2)]


@real_commits
def test_a_delivery_whose_worker_dies_every_time_is_dead_after_its_attempts() -> None:
    publisher = background(label)
    publisher.publish(ParcelSent(1))
    [delivery] = deliveries()
    # Each attempt claimed and never written back (the worker died): three claims, no runs.
    for attempt in (1, 2, 3):
        Delivery.objects.update(
            attempts=attempt, lease_owner=f"dead-{attempt}", lease_expires_at=timezone.now()
        )
    assert run_delivery(delivery.pk, messenger=publisher) == "dead"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, ran) == ("dead", 3, [])
    assert "never finished" in delivery.last_error


@postgres_only
@real_commits
def test_two_concurrent_sweepers_never_run_one_delivery_twice(restore_registry: None) -> None:
    registry.register(make_spec(label, options={"background": True, "retry": QUICK}))
    for parcel in range(40):
        messenger.publish(ParcelSent(parcel))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            start.wait(10)
            call_command("deliver_pending", "--loop", "--interval", "0", "--max-passes", "3")
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert errors == []
    assert len(ran) == 40
    assert [(d.status, d.attempts) for d in deliveries()] == [("succeeded", 1)] * 40
    assert len(effects("label:")) == 40


# -- a worker process killed in the middle of a handler ------------------------------------------

SWEEP = """
import django
django.setup()
from django.core.management import call_command
from django.test import override_settings
from django_functionalkit.registry import registry
from tests import delivery_probe
delivery_probe.register(registry)
with override_settings(FUNCTIONALKIT={{"BEHAVIORS": [], "DELIVERY_LEASE_SECONDS": {lease}}}):
    call_command("deliver_pending")
"""


def sweep_in_a_process(*, exit_in_handler: bool, lease: float) -> int:
    """``deliver_pending`` in a worker process of its own, against the test database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "FK_TEST_DATABASE": "postgres",
        "FK_POSTGRES_URL": _test_database_url(),
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }
    env.pop("FK_PROBE_EXIT", None)
    if exit_in_handler:
        env["FK_PROBE_EXIT"] = "1"
    code = SWEEP.format(lease=lease)
    done = subprocess.run(  # noqa: S603 - this interpreter, the test's own code
        [sys.executable, "-c", code], env=env, capture_output=True, timeout=60, check=False
    )
    assert done.returncode in (0, 9), done.stderr.decode()
    return done.returncode


def _test_database_url() -> str:
    db = connection.settings_dict
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def probe(restore_registry: None) -> None:
    delivery_probe.register(registry)


@postgres_only
@real_commits
def test_a_worker_killed_in_a_handler_leaves_a_delivery_the_sweeper_finishes_once(
    probe: None,
) -> None:
    messenger.publish(ShipmentBooked(1))
    [delivery] = deliveries()

    assert sweep_in_a_process(exit_in_handler=True, lease=60) == 9
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, effects()) == ("pending", 1, [])
    assert sweep_in_a_process(exit_in_handler=False, lease=60) == 0
    delivery.refresh_from_db()
    assert delivery.status == "pending"  # its lease still holds: not run again yet

    # The dead worker's lease runs out (moved, not waited for: a slow machine must not let it
    # expire before the sweep above).
    Delivery.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert sweep_in_a_process(exit_in_handler=False, lease=60) == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert effects() == [f"exit:{delivery.pk}"]


@postgres_only
@real_commits
def test_a_delivery_that_kills_its_worker_every_time_is_dead_after_exactly_its_attempts(
    restore_registry: None,
) -> None:
    delivery_probe.register(registry, RetryPolicy(attempts=2, backoff_base=0, backoff_cap=0))
    messenger.publish(ShipmentBooked(2))
    [delivery] = deliveries()

    for _ in range(2):
        assert sweep_in_a_process(exit_in_handler=True, lease=0.2) == 9
        time.sleep(0.3)
    assert sweep_in_a_process(exit_in_handler=True, lease=0.2) == 0  # dead: not run

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, effects()) == ("dead", 2, [])


class _Output:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


# -- more of the same, on the edges ---------------------------------------------------------------


async def awrite(event: ParcelSent) -> None:
    running = current_delivery()
    assert running is not None
    await Group.objects.acreate(name=f"async:{running.id}")
    if event.parcel_id < 0:
        raise RuntimeError("after an async write")


@real_commits
def test_an_async_handlers_writes_commit_with_its_success_mark_or_roll_back() -> None:
    publisher = background(awrite)
    publisher.publish(ParcelSent(1))
    publisher.publish(ParcelSent(-1))

    drain(publisher)

    by_parcel = {d.event.payload["parcel_id"]: d for d in deliveries()}
    assert [(p, d.status, d.attempts) for p, d in sorted(by_parcel.items())] == [
        (-1, "dead", 3),
        (1, "succeeded", 1),
    ]
    assert effects() == [f"async:{by_parcel[1].pk}"]


@dataclass(frozen=True)
class PasswordReset(DomainEvent):
    username: str
    new_password: str


def leak(event: PasswordReset) -> None:
    raise ValueError(f"could not set {event.new_password!r} for {event.username}")


@real_commits
def test_the_recorded_error_and_traceback_are_redacted_as_the_audit_log_is() -> None:
    publisher = background(leak)
    publisher.publish(PasswordReset("ada", "correct-horse-battery"))

    drain(publisher)

    [delivery] = deliveries()
    assert delivery.last_error == "ValueError: could not set '[redacted]' for ada"
    assert "correct-horse-battery" not in delivery.traceback
    assert "could not set '[redacted]' for ada" in delivery.traceback


@real_commits
def test_a_background_handler_registered_after_a_publish_gets_the_next_events(
    restore_registry: None,
) -> None:
    registry.register(make_spec(label, options={"background": True, "retry": QUICK}))
    messenger.publish(ParcelSent(1))
    registry.register(make_spec(invoice, options={"background": True, "retry": QUICK}))
    messenger.publish(ParcelSent(2))

    counts = {d.event.payload["parcel_id"]: 0 for d in deliveries()}
    for d in deliveries():
        counts[d.event.payload["parcel_id"]] += 1
    assert counts == {1: 1, 2: 2}


def test_list_handlers_says_which_handlers_run_in_the_background(restore_registry: None) -> None:
    registry.register(make_spec(label, options={"background": True}))
    out = _Output()
    call_command("list_handlers", stdout=out)
    assert "    handler   tests.test_deliveries.label (sync, background)" in out.text.splitlines()


@pytest.mark.parametrize(
    ("settings", "error"),
    [
        ({"DELIVERY_LEASE_SECONDS": 0}, "DELIVERY_LEASE_SECONDS"),
        ({"DELIVERY_LEASE_SECONDS": True}, "DELIVERY_LEASE_SECONDS"),
        ({"DELIVERY_RETRY": {"attempts": 0}}, "DELIVERY_RETRY"),
        ({"DELIVERY_RETRY": {"retries": 3}}, "DELIVERY_RETRY"),
        ({"DELIVERY_RETRY": 3}, "DELIVERY_RETRY"),
    ],
)
def test_wrong_delivery_settings_are_refused(settings: dict[str, Any], error: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from django_functionalkit.conf import get_config

    with (
        override_settings(FUNCTIONALKIT=settings),
        pytest.raises(ImproperlyConfigured, match=error),
    ):
        get_config()


# -- the same on SQLite, where claims are conditional UPDATEs: a file database shared by processes

SQLITE_SETTINGS = """
from tests.settings import *  # noqa: F403

DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": {name!r},
        # Workers write at once: no read lock to upgrade (and fail on) in the middle of a handler.
        "OPTIONS": {{"transaction_mode": "IMMEDIATE", "timeout": 20}},
    }}
}}
"""

SQLITE_STEP = """
import json, sys
import django
django.setup()
from django.contrib.auth.models import Group
from django.core.management import call_command
from datetime import timedelta
from django.test import override_settings
from django.utils import timezone
from django_functionalkit import messenger
from django_functionalkit.models import Delivery
from django_functionalkit.registry import registry
from tests import delivery_probe
delivery_probe.register(registry)
step = sys.argv[1]
with override_settings(FUNCTIONALKIT={{"BEHAVIORS": [], "DELIVERY_LEASE_SECONDS": {lease}}}):
    if step == "publish":
        call_command("migrate", verbosity=0)
        for order in range(int(sys.argv[2])):
            messenger.publish(delivery_probe.ShipmentBooked(order))
    elif step == "sweep":
        call_command("deliver_pending", "--loop", "--interval", "0", "--max-passes", "3")
    elif step == "expire":
        Delivery.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    else:
        rows = Delivery.objects.order_by("id")
        print(json.dumps([[d.status, d.attempts] for d in rows] + [Group.objects.count()]))
"""


Step = Callable[..., "subprocess.Popen[str]"]


@pytest.fixture
def sqlite_worker(tmp_path: Path) -> Step:
    """Starts a step of SQLITE_STEP in a process of its own, on a file database in tmp_path."""
    (tmp_path / "fk_sqlite_settings.py").write_text(
        SQLITE_SETTINGS.format(name=str(tmp_path / "db.sqlite3"))
    )
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fk_sqlite_settings",
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{root}",
    }
    env.pop("FK_PROBE_EXIT", None)

    def start(*args: str, exit_in_handler: bool = False, sleep: float = 0) -> subprocess.Popen[str]:
        extra = {"FK_PROBE_EXIT": "1"} if exit_in_handler else {}
        extra["FK_PROBE_SLEEP"] = str(sleep)
        return subprocess.Popen(  # noqa: S603 - this interpreter, the test's own code
            [sys.executable, "-c", SQLITE_STEP.format(lease=60), *args],
            env={**env, **extra},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    return start


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=60)
    assert process.returncode in (0, 9), err
    return process.returncode, out.strip()


@pytest.mark.database("sqlite")
def test_on_sqlite_a_worker_killed_in_a_handler_leaves_a_delivery_the_sweeper_finishes_once(
    sqlite_worker: Step,
) -> None:
    finished(sqlite_worker("publish", "1"))
    assert finished(sqlite_worker("sweep", exit_in_handler=True))[0] == 9
    assert finished(sqlite_worker("state")) == (0, '[["pending", 1], 0]')
    finished(sqlite_worker("sweep"))
    assert finished(sqlite_worker("state")) == (0, '[["pending", 1], 0]')  # the lease holds
    finished(sqlite_worker("expire"))  # the dead worker's lease runs out
    finished(sqlite_worker("sweep"))
    assert finished(sqlite_worker("state")) == (0, '[["succeeded", 2], 1]')


@pytest.mark.database("sqlite")
def test_on_sqlite_two_worker_processes_never_run_one_delivery_twice(sqlite_worker: Step) -> None:
    finished(sqlite_worker("publish", "30"))
    sweepers = [sqlite_worker("sweep", sleep=0.05), sqlite_worker("sweep", sleep=0.05)]
    for sweeper in sweepers:
        finished(sweeper)
    assert finished(sqlite_worker("state")) == (0, json.dumps([["succeeded", 1]] * 30 + [30]))


@real_commits
def test_failures_are_logged_as_warnings_and_dead_deliveries_as_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    publisher = background(tracking, policy=RetryPolicy(attempts=2, backoff_base=0, backoff_cap=0))
    publisher.publish(ParcelSent(1))
    with caplog.at_level("WARNING", logger="django_functionalkit.delivery"):
        drain(publisher)
    [delivery] = deliveries()
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            level,
            f"Delivery {delivery.pk} of event {delivery.event_id} to "
            f"tests.test_deliveries.tracking failed (attempt {n} of 2, {outcome}): "
            "ConnectionError: the carrier is down",
        )
        for level, n, outcome in [("WARNING", 1, "retrying"), ("ERROR", 2, "dead")]
    ]
