"""``manage.py prune_deliveries``: old succeeded deliveries go, dead ones later, pending never."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from django_functionalkit.models import Delivery, StoredEvent

pytestmark = pytest.mark.django_db


def prune(*args: str) -> str:
    out = io.StringIO()
    call_command("prune_deliveries", *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture(autouse=True)
def deliveries_of_age() -> None:
    """A succeeded, a dead and a pending delivery finished 0, 10, 40 and 400 days ago."""
    now = timezone.now()
    for days in (0, 10, 40, 400):
        event = StoredEvent.objects.create(
            id=uuid.uuid4(), event_type="shop.Sent", payload={}, occurred_at=now
        )
        for status in ("succeeded", "dead", "pending"):
            Delivery.objects.create(
                event=event,
                handler=f"shop.{status}{days}",
                status=status,
                max_attempts=3,
                updated_at=now - timedelta(days=days, minutes=1),
            )


def remaining(status: str) -> list[str]:
    rows = Delivery.objects.filter(status=status).order_by("updated_at")
    return [
        handler.removeprefix(f"shop.{status}") for handler in rows.values_list("handler", flat=True)
    ]


def test_by_default_succeeded_ones_go_after_30_days_dead_ones_after_90_pending_never() -> None:
    assert prune() == ("Deleted 2 succeeded older than 30 days and 1 dead older than 90 days.")
    assert remaining("succeeded") == ["10", "0"]
    assert remaining("dead") == ["40", "10", "0"]
    assert remaining("pending") == ["400", "40", "10", "0"]
    assert StoredEvent.objects.count() == 4  # the events are the log: they stay


def test_the_ages_are_given_in_days() -> None:
    assert prune("--older-than", "5", "--dead-older-than", "30") == (
        "Deleted 3 succeeded older than 5 days and 2 dead older than 30 days."
    )
    assert remaining("succeeded") == ["0"]
    assert remaining("dead") == ["10", "0"]
    assert prune("--older-than", "0", "--dead-older-than", "1") == (
        "Deleted 1 succeeded older than 0 days and 1 dead older than 1 day."
    )
    assert len(remaining("pending")) == 4


def test_a_dry_run_counts_and_deletes_nothing() -> None:
    assert prune("--older-than", "0", "--dry-run") == (
        "Would delete 4 succeeded older than 0 days and 1 dead older than 90 days (dry run)."
    )
    assert Delivery.objects.count() == 12


def test_it_deletes_in_batches_of_the_size_given() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert prune("--older-than", "0", "--batch-size", "3").startswith("Deleted 4 succeeded")
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # succeeded: 3 then 1; dead: 1
    assert remaining("succeeded") == []


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--older-than", "-1"], "--older-than takes a number of days >= 0, not -1"),
        (["--dead-older-than", "-2"], "--dead-older-than takes a number of days >= 0, not -2"),
        (["--batch-size", "0"], "--batch-size takes a number >= 1, not 0"),
        (["--database", "nowhere"], "--database 'nowhere' is not in DATABASES"),
        (["--older-than", "ten"], "older-than"),
    ],
)
def test_wrong_arguments_are_errors_and_delete_nothing(args: list[str], error: str) -> None:
    with pytest.raises(CommandError, match=error):
        prune(*args)
    assert Delivery.objects.count() == 12
