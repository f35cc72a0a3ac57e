"""Background handlers for the delivery tests, registered on demand (``register``).

Each writes a ``Group`` named after its delivery, so a test counts a handler's database effect;
``FK_PROBE_EXIT`` makes ``write_then_exit`` end its process in the middle of the handler, and
``FK_PROBE_SLEEP`` slows it down (seconds).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from django.contrib.auth.models import Group

from django_functionalkit import DomainEvent
from django_functionalkit.delivery.policy import RetryPolicy
from django_functionalkit.delivery.runner import current_delivery
from django_functionalkit.registry import Registry, make_spec

# No waiting between attempts: the tests run the retries at once.
QUICK = RetryPolicy(attempts=3, backoff_base=0, backoff_cap=0)


@dataclass(frozen=True)
class ShipmentBooked(DomainEvent):
    order_id: int


def effect(name: str) -> None:
    """The handler's database write, one row per delivery: ``<handler>:<delivery id>``."""
    running = current_delivery()
    assert running is not None
    Group.objects.create(name=f"{name}:{running.id}")


def write_then_exit(event: ShipmentBooked) -> None:
    effect("exit")
    time.sleep(float(os.environ.get("FK_PROBE_SLEEP", "0")))  # workers overlap
    if os.environ.get("FK_PROBE_EXIT"):
        os._exit(9)  # the worker dies after the write, before its transaction commits


@dataclass(frozen=True)
class ParcelWeighed(DomainEvent):
    """Heard by three background handlers, of which ``refuse`` always fails."""

    parcel_id: int


def weigh(event: ParcelWeighed) -> None:
    effect("weigh")


def stamp(event: ParcelWeighed) -> None:
    effect("stamp")


def refuse(event: ParcelWeighed) -> None:
    effect("refuse")  # rolled back with the failure
    raise ConnectionError("the scale is down")


def register(registry: Registry, policy: RetryPolicy = QUICK) -> None:
    """Add the probe's handlers to ``registry``."""
    options = {"background": True, "retry": policy}
    for target in (write_then_exit, weigh, stamp, refuse):
        registry.register(make_spec(target, options=options))
