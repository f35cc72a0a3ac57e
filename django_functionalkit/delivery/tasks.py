"""The wake-up task: a worker of Django's Tasks API runs one delivery by its id.

The delivery table is the truth, the task only says "look at delivery 42 now": it claims the
delivery under its lease like the sweeper does, so a task run twice, late, or never changes
nothing but the time the handler starts. After the publishing transaction commits, ``wake``
enqueues one task per new delivery on ``DELIVERY_TASK_BACKEND`` (``DELIVERY_QUEUE``); an
enqueue that fails is logged, and the sweeper (``manage.py deliver_pending``) runs the delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django_functionalkit.conf import fk_settings
from django_functionalkit.tasks_api import task

from .runner import Outcome, run_delivery

__all__ = ["deliver", "wake"]

logger = logging.getLogger("django_functionalkit.delivery")


@task()
def deliver(delivery_id: int) -> Outcome:
    """Run delivery ``delivery_id`` if it is due and free (``"not claimed"`` otherwise)."""
    return run_delivery(delivery_id)


def wake(delivery_ids: Iterable[int]) -> None:
    """Enqueue ``deliver`` for each delivery; never raises (the sweeper covers a failure)."""
    backend: str | None = fk_settings.DELIVERY_TASK_BACKEND
    if backend is None:  # no wake-ups: the sweeper alone runs deliveries
        return
    for delivery_id in delivery_ids:
        try:
            deliver.using(backend=backend, queue_name=fk_settings.DELIVERY_QUEUE).enqueue(
                delivery_id
            )
        except Exception:
            # After the commit there is nobody to raise to, and the row is safe: say so, go on.
            logger.exception(
                "Delivery %s could not be enqueued on task backend %r; "
                "the sweeper (manage.py deliver_pending) will run it",
                delivery_id,
                backend,
            )
