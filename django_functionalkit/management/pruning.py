"""What the prune commands share: their common options, and deleting in short batches."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import connections
from django.db.models import QuerySet

BATCH_SIZE = 10_000


def add_options(parser: CommandParser, rows: str, setting: str) -> None:
    """--dry-run, --database (default: FUNCTIONALKIT[setting] or the router's), --batch-size."""
    parser.add_argument("--dry-run", action="store_true", help=f"Count the {rows}; delete nothing.")
    parser.add_argument(
        "--database",
        help=f'The database alias (default: FUNCTIONALKIT["{setting}"] or the router\'s).',
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=BATCH_SIZE,
        help=f"{rows.capitalize()} deleted per statement (default {BATCH_SIZE}): short locks.",
    )


def checked(options: dict[str, Any], default_alias: str, **days: int) -> tuple[int, str]:
    """The batch size and database alias of ``options``, and each of ``days`` (flag: value)
    checked: an error names the option."""
    for flag, value in days.items():
        if value < 0:
            raise CommandError(f"--{flag} takes a number of days >= 0, not {value}.")
    batch: int = options["batch_size"]
    if batch < 1:
        raise CommandError(f"--batch-size takes a number >= 1, not {batch}.")
    alias: str = options["database"] or default_alias
    if alias not in connections:
        raise CommandError(f"--database {alias!r} is not in DATABASES.")
    return batch, alias


def delete_in_batches(rows: QuerySet[Any], batch: int) -> int:
    """Delete by primary-key ranges of ``batch`` rows: each statement locks briefly."""
    deleted = 0
    while True:
        pks = list(rows.order_by("pk").values_list("pk", flat=True)[:batch])
        if not pks:
            return deleted
        count, _ = rows.filter(pk__in=pks).delete()
        deleted += count


def days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
