"""``manage.py prune_audit_log --older-than DAYS [--dry-run]``."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from django_functionalkit.models import AuditEntry

pytestmark = pytest.mark.django_db


def prune(*args: str) -> str:
    out = io.StringIO()
    call_command("prune_audit_log", *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture(autouse=True)
def entries_of_age() -> None:
    """One entry written 0, 1, 10, 40 and 400 days ago."""
    now = timezone.now()
    for days in (0, 1, 10, 40, 400):
        AuditEntry.objects.create(
            timestamp=now - timedelta(days=days, minutes=1),
            kind="command",
            message_type=f"shop.Command{days}",
            success=True,
            duration=0.01,
        )


def remaining() -> list[str]:
    return list(AuditEntry.objects.order_by("-timestamp").values_list("message_type", flat=True))


def test_it_deletes_the_entries_older_than_the_days_given() -> None:
    assert prune("--older-than", "30") == "Deleted 2 audit entries older than 30 days."
    assert remaining() == ["shop.Command0", "shop.Command1", "shop.Command10"]
    assert prune("--older-than", "30") == "Deleted 0 audit entries older than 30 days."


def test_a_dry_run_counts_and_deletes_nothing() -> None:
    assert prune("--older-than", "5", "--dry-run") == (
        "Would delete 3 audit entries older than 5 days (dry run)."
    )
    assert len(remaining()) == 5


def test_zero_days_deletes_everything_written_until_now() -> None:
    assert prune("--older-than", "0") == "Deleted 5 audit entries older than 0 days."
    assert remaining() == []


def test_one_entry_and_one_day_read_as_such() -> None:
    assert prune("--older-than", "100") == "Deleted 1 audit entry older than 100 days."
    assert prune("--older-than", "1", "--dry-run") == (
        "Would delete 3 audit entries older than 1 day (dry run)."
    )


def test_a_negative_number_of_days_is_an_error() -> None:
    with pytest.raises(CommandError, match="--older-than takes a number of days >= 0, not -1"):
        prune("--older-than", "-1")
    assert len(remaining()) == 5


@pytest.mark.parametrize("args", [[], ["--older-than", "ten"]])
def test_the_days_are_required_and_a_whole_number(args: list[str]) -> None:
    with pytest.raises(CommandError, match="older-than"):
        prune(*args)
    assert len(remaining()) == 5


@pytest.mark.django_db(transaction=True, databases=["default", "audit"])
def test_it_prunes_through_the_audit_database() -> None:
    with override_settings(FUNCTIONALKIT={"AUDIT_DATABASE": "audit"}):
        assert prune("--older-than", "30") == "Deleted 2 audit entries older than 30 days."
    assert prune("--older-than", "7", "--database", "audit") == (
        "Deleted 1 audit entry older than 7 days."
    )
    assert remaining() == ["shop.Command0", "shop.Command1"]


def test_it_deletes_in_batches_of_the_size_given() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert prune("--older-than", "0", "--batch-size", "2") == (
            "Deleted 5 audit entries older than 0 days."
        )
    deletes = [q for q in queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 2 + 2 + 1
    assert remaining() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--batch-size", "0"], "--batch-size takes a number >= 1"),
        (["--database", "nowhere"], "--database 'nowhere' is not in DATABASES"),
    ],
)
def test_a_bad_batch_size_or_database_is_a_command_error(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        prune("--older-than", "1", *args)
