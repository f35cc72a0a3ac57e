"""``manage.py prune_audit_log --older-than DAYS [--dry-run]``: delete old audit entries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from django_functionalkit.behaviors.audit import audit_database
from django_functionalkit.management import pruning
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
        pruning.add_options(parser, "entries", "AUDIT_DATABASE")

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = options["older_than"]
        batch, alias = pruning.checked(options, audit_database(), **{"older-than": days})
        cutoff = timezone.now() - timedelta(days=days)
        entries = AuditEntry.objects.using(alias).filter(timestamp__lt=cutoff)
        if options["dry_run"]:
            count = entries.count()
            self.stdout.write(
                f"Would delete {_entries(count)} older than {pruning.days(days)} (dry run)."
            )
            return
        count = pruning.delete_in_batches(entries, batch)
        self.stdout.write(f"Deleted {_entries(count)} older than {pruning.days(days)}.")


def _entries(count: int) -> str:
    return f"{count} audit {'entry' if count == 1 else 'entries'}"
