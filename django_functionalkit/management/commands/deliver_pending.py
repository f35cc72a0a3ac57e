"""``manage.py deliver_pending``: run the deliveries that are due, once or in a loop.

Due: pending, its next run time past, and no live lease (never claimed, or claimed by a worker
whose lease expired with it). Nothing depends on a task backend keeping a task: this finds what
a dead process, a lost task or an expired lease left behind.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from django_functionalkit.delivery.runner import due, run_delivery

logger = logging.getLogger("django_functionalkit.delivery")


class Command(BaseCommand):
    help = "Claim and run the deliveries to background handlers that are due (one pass or --loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep sweeping until stopped.")
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait after a pass that found nothing due (with --loop; default 1).",
        )
        parser.add_argument(
            "--max-passes",
            type=int,
            default=None,
            help="Stop after this many passes (with --loop; default: never).",
        )
        parser.add_argument(
            "--batch", type=int, default=100, help="Deliveries read per pass (default 100)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        passes = 0
        while True:
            outcomes = self.sweep(options["batch"])
            passes += 1
            if outcomes:
                summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
                self.stdout.write(f"pass {passes}: {summary}")
            if not options["loop"] or (
                options["max_passes"] is not None and passes >= options["max_passes"]
            ):
                return
            if not outcomes:
                time.sleep(options["interval"])
            close_old_connections()

    def sweep(self, batch: int) -> Counter[str]:
        """Run each delivery due now once (another worker's claim is skipped, not waited on)."""
        outcomes: Counter[str] = Counter()
        for delivery_id in due(limit=batch):
            try:
                outcomes[run_delivery(delivery_id)] += 1
            except Exception:
                # The database failed under the runner (its handler's failures are recorded, not
                # raised): the lease expires and a later pass claims it again; the loop goes on.
                logger.exception("Delivery %s could not be run", delivery_id)
                outcomes["error"] += 1
        return outcomes
