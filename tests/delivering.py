"""Running background handlers in a test: their deliveries, as a worker or the sweeper would."""

from __future__ import annotations

import io

from django.core.management import call_command


def deliver() -> str:
    """One pass of ``manage.py deliver_pending``: every delivery due now runs; what it printed."""
    out = io.StringIO()
    call_command("deliver_pending", stdout=out)
    return out.getvalue().strip()
