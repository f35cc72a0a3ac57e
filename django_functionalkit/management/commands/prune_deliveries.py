"""``manage.py prune_deliveries [--older-than DAYS] [--dead-older-than DAYS] [--dry-run]``:
delete old finished deliveries (succeeded ones, and dead ones kept longer)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone

from django_functionalkit.delivery.events import event_database
from django_functionalkit.management.commands.prune_audit_log import (
    BATCH_SIZE,
    _days,
    _delete_in_batches,
)
from django_functionalkit.models import Delivery

OLDER_THAN = 30
DEAD_OLDER_THAN = 90


class Command(BaseCommand):
    help = (
        "Delete succeeded deliveries older than --older-than DAYS and dead ones older than "
        "--dead-older-than DAYS; pending ones are never deleted (--dry-run: only count them)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=OLDER_THAN,
            metavar="DAYS",
            help=f"Delete succeeded deliveries last updated more than DAYS days ago "
            f"(default {OLDER_THAN}).",
        )
        parser.add_argument(
            "--dead-older-than",
            type=int,
            default=DEAD_OLDER_THAN,
            metavar="DAYS",
            help=f"Delete dead deliveries last updated more than DAYS days ago (default "
            f"{DEAD_OLDER_THAN}): kept longer, someone may still retry them.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the deliveries; delete nothing."
        )
        parser.add_argument(
            "--database",
            help='The database alias (default: FUNCTIONALKIT["EVENT_DATABASE"] or the router\'s).',
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Deliveries deleted per statement (default {BATCH_SIZE}): short locks.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        succeeded_days: int = options["older_than"]
        dead_days: int = options["dead_older_than"]
        for flag, days in (("--older-than", succeeded_days), ("--dead-older-than", dead_days)):
            if days < 0:
                raise CommandError(f"{flag} takes a number of days >= 0, not {days}.")
        batch: int = options["batch_size"]
        if batch < 1:
            raise CommandError(f"--batch-size takes a number >= 1, not {batch}.")
        alias = options["database"] or event_database()
        if alias not in connections:
            raise CommandError(f"--database {alias!r} is not in DATABASES.")
        now = timezone.now()
        deliveries = Delivery.objects.using(alias)
        # updated_at: when it succeeded or died, not when its event was published
        kinds = (
            ("succeeded", succeeded_days),
            ("dead", dead_days),
        )
        counts = []
        for status, days in kinds:
            old = deliveries.filter(status=status, updated_at__lt=now - timedelta(days=days))
            count = old.count() if options["dry_run"] else _delete_in_batches(old, batch)
            counts.append(f"{count} {status} older than {_days(days)}")
        verb = "Would delete" if options["dry_run"] else "Deleted"
        suffix = " (dry run)" if options["dry_run"] else ""
        self.stdout.write(f"{verb} {' and '.join(counts)}{suffix}.")
