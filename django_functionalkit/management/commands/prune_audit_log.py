"""``manage.py prune_audit_log --older-than DAYS [--dry-run]``: delete old audit entries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from django_functionalkit.behaviors.audit import audit_database
from django_functionalkit.models import AuditEntry


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

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = options["older_than"]
        if days < 0:
            raise CommandError(f"--older-than takes a number of days >= 0, not {days}.")
        cutoff = timezone.now() - timedelta(days=days)
        entries = AuditEntry.objects.using(options["database"] or audit_database()).filter(
            timestamp__lt=cutoff
        )
        if options["dry_run"]:
            count = entries.count()
            self.stdout.write(f"Would delete {_entries(count)} older than {_days(days)} (dry run).")
        else:
            count, _ = entries.delete()
            self.stdout.write(f"Deleted {_entries(count)} older than {_days(days)}.")


def _entries(count: int) -> str:
    return f"{count} audit {'entry' if count == 1 else 'entries'}"


def _days(days: int) -> str:
    return f"{days} day" if days == 1 else f"{days} days"
