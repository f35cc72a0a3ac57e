"""``manage.py prune_deliveries [--older-than DAYS] [--dead-older-than DAYS] [--dry-run]``:
delete old finished deliveries (succeeded ones, and dead ones kept longer)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from django_functionalkit.delivery.events import event_database
from django_functionalkit.management import pruning
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
        pruning.add_options(parser, "deliveries", "EVENT_DATABASE")

    def handle(self, *args: Any, **options: Any) -> None:
        succeeded_days: int = options["older_than"]
        dead_days: int = options["dead_older_than"]
        batch, alias = pruning.checked(
            options,
            event_database(),
            **{"older-than": succeeded_days, "dead-older-than": dead_days},
        )
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
            count = old.count() if options["dry_run"] else pruning.delete_in_batches(old, batch)
            counts.append(f"{count} {status} older than {pruning.days(days)}")
        verb = "Would delete" if options["dry_run"] else "Deleted"
        suffix = " (dry run)" if options["dry_run"] else ""
        self.stdout.write(f"{verb} {' and '.join(counts)}{suffix}.")
