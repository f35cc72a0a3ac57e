"""``manage.py prune_audit_log --older-than DAYS [--dry-run]``: delete old audit entries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

from django_functionalkit.behaviors.audit import audit_database
from django_functionalkit.models import AuditEntry

BATCH_SIZE = 10_000


class Command(BaseCommand):
    help = "Delete audit entries older than --older-than DAYS (--dry-run: only count them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            required=True,
            metavar="DAYS",
            help="Delete the entries written more than DAYS days ago (0: all until now).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the entries; delete nothing."
        )
        parser.add_argument(
            "--database",
            help='The database alias (default: FUNCTIONALKIT["AUDIT_DATABASE"] or the router\'s).',
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Entries deleted per statement (default {BATCH_SIZE}): short locks on a big log.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = options["older_than"]
        if days < 0:
            raise CommandError(f"--older-than takes a number of days >= 0, not {days}.")
        batch: int = options["batch_size"]
        if batch < 1:
            raise CommandError(f"--batch-size takes a number >= 1, not {batch}.")
        alias = options["database"] or audit_database()
        if alias not in connections:
            raise CommandError(f"--database {alias!r} is not in DATABASES.")
        cutoff = timezone.now() - timedelta(days=days)
        entries = AuditEntry.objects.using(alias).filter(timestamp__lt=cutoff)
        if options["dry_run"]:
            count = entries.count()
            self.stdout.write(f"Would delete {_entries(count)} older than {_days(days)} (dry run).")
            return
        count = _delete_in_batches(entries, batch)
        self.stdout.write(f"Deleted {_entries(count)} older than {_days(days)}.")


def _delete_in_batches(entries: QuerySet[Any], batch: int) -> int:
    """Delete by primary-key ranges of ``batch`` rows: each statement locks briefly."""
    deleted = 0
    while True:
        pks = list(entries.order_by("pk").values_list("pk", flat=True)[:batch])
        if not pks:
            return deleted
        count, _ = entries.filter(pk__in=pks).delete()
        deleted += count


def _entries(count: int) -> str:
    return f"{count} audit {'entry' if count == 1 else 'entries'}"


def _days(days: int) -> str:
    return f"{days} day" if days == 1 else f"{days} days"
