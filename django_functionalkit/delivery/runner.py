"""Running one delivery: claim it under a lease, run its handler, and write back, fenced.

``run_delivery(delivery_id)`` is the whole of a worker's job (the sweeper calls it, and so will
a task)::

    claim    one short transaction: attempts + 1, lease_owner, lease_expires_at
             (SELECT ... FOR UPDATE SKIP LOCKED where the database has it; elsewhere a
             conditional UPDATE), only if it is pending, due, and its lease is free or expired
    run      one transaction: the handler's own writes and the success mark commit together
    fence    every write-back updates WHERE attempts and lease_owner are still the claim's: a
             worker whose lease expired and was taken over updates 0 rows, and its handler's
             transaction rolls back
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID, uuid4

from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from django_functionalkit.audit_payload import AuditPayload
from django_functionalkit.conf import fk_settings
from django_functionalkit.context import set_actor

from . import events
from .policy import PermanentError, RetryPolicy

if TYPE_CHECKING:
    from django_functionalkit.messenger import Messenger
    from django_functionalkit.models import Delivery
    from django_functionalkit.registry import HandlerSpec

__all__ = [
    "Outcome",
    "RunningDelivery",
    "current_delivery",
    "default_owner",
    "due",
    "run_delivery",
]

logger = logging.getLogger("django_functionalkit.delivery")

Outcome = Literal["succeeded", "retrying", "dead", "fenced", "not claimed"]


@dataclass(frozen=True)
class RunningDelivery:
    """The delivery a background handler is running for: its id makes idempotency keys."""

    id: int
    event_id: UUID
    handler: str
    attempt: int
    owner: str

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt of one delivery, different for any other: ``fk-<id>``."""
        return f"fk-delivery-{self.id}"


_current: ContextVar[RunningDelivery | None] = ContextVar("functionalkit_delivery", default=None)


def current_delivery() -> RunningDelivery | None:
    """The delivery the running background handler was called for; ``None`` elsewhere."""
    return _current.get()


def default_owner() -> str:
    """A lease owner unique to this process and call: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:12]}"


class _Fenced(Exception):
    """The lease was lost: the write-back matched no row, so the handler's writes roll back."""


def due(*, using: str | None = None, limit: int = 100) -> list[int]:
    """Ids of deliveries to run now: pending, due, and not leased (or leased and expired)."""
    from django_functionalkit.models import Delivery

    alias = using or events.event_database()
    return list(
        _due_rows(Delivery.objects.using(alias), timezone.now())
        .order_by("next_run_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def _due_rows(rows: Any, now: datetime) -> Any:
    return rows.filter(status="pending", next_run_at__lte=now).filter(
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    )


def run_delivery(
    delivery_id: int, *, owner: str | None = None, messenger: Messenger | None = None
) -> Outcome:
    """Claim delivery ``delivery_id`` and run its handler once, if it is due and free.

    ``not claimed``: another worker holds it, or it is not due (nothing was done).
    ``fenced``: the lease was lost while the handler ran, and its writes were rolled back.
    """
    from django_functionalkit.messenger import messenger as default_messenger

    messenger = messenger or default_messenger
    alias = events.event_database()
    owner = owner or default_owner()
    claimed = _claim(alias, delivery_id, owner)
    if claimed is None or claimed == "dead":
        return claimed or "not claimed"
    running = RunningDelivery(
        id=claimed.pk,
        event_id=claimed.event_id,
        handler=claimed.handler,
        attempt=claimed.attempts,
        owner=owner,
    )
    try:
        with transaction.atomic(using=alias):
            event = claimed.event
            recorded = events.rebuild(event)
            spec = _handler(messenger, type(recorded.notification), claimed)
            call = messenger.handler_call(spec)
            with set_actor(_actor(event.actor_id)), _running(running):
                call(recorded.notification)
            if not _write_back(alias, claimed, owner, status="succeeded"):
                raise _Fenced
    except _Fenced:
        return "fenced"
    except Exception as exc:
        text, trace = _redacted(exc, claimed)
        policy = _policy_of(messenger, claimed)
        outcome = _fail(
            alias, claimed, owner, (text, trace), policy, dead=isinstance(exc, PermanentError)
        )
        # Logged as publish logs an inline handler's failure; the row keeps it for the admin.
        (logger.error if outcome == "dead" else logger.warning)(
            "Delivery %s of event %s to %s failed (attempt %s of %s, %s): %s",
            claimed.pk,
            claimed.event_id,
            claimed.handler,
            claimed.attempts,
            claimed.max_attempts,
            outcome,
            text,
        )
        return outcome
    return "succeeded"


@contextmanager
def _running(running: RunningDelivery) -> Iterator[None]:
    token = _current.set(running)
    try:
        yield
    finally:
        _current.reset(token)


def _claim(alias: str, delivery_id: int, owner: str) -> Delivery | Literal["dead"] | None:
    """Lease the delivery to ``owner`` and count the attempt, in a transaction of its own.

    A due delivery whose attempts are all used up was claimed by a worker that died before
    writing back (its lease expired): it is dead, and runs no more.
    """
    from django_functionalkit.models import Delivery

    now = timezone.now()
    lease = timedelta(seconds=fk_settings.DELIVERY_LEASE_SECONDS)
    rows = _due_rows(Delivery.objects.using(alias).filter(pk=delivery_id), now)
    with transaction.atomic(using=alias):
        if connections[alias].features.has_select_for_update_skip_locked:
            # Another worker in the middle of claiming it holds the row: skip, never wait.
            found = rows.select_for_update(skip_locked=True).first()
            if found is None:
                return None
            rows = Delivery.objects.using(alias).filter(pk=delivery_id)
        if rows.filter(attempts__gte=F("max_attempts")).update(
            status="dead",
            last_error="Its last attempt never finished: its worker stopped before writing back.",
            traceback="",
            lease_owner="",
            lease_expires_at=None,
            updated_at=now,
        ):
            return "dead"
        claimed = rows.update(
            attempts=F("attempts") + 1,
            lease_owner=owner,
            lease_expires_at=now + lease,
            updated_at=now,
        )
        if not claimed:
            return None
        delivery: Delivery = (
            Delivery.objects.using(alias).select_related("event").get(pk=delivery_id)
        )
    return delivery


def _write_back(alias: str, claimed: Delivery, owner: str, **values: Any) -> bool:
    """Update the delivery if ``owner`` still holds the claim; ``False`` if it was lost."""
    from django_functionalkit.models import Delivery

    now = timezone.now()
    return bool(
        Delivery.objects.using(alias)
        .filter(pk=claimed.pk, status="pending", attempts=claimed.attempts, lease_owner=owner)
        .update(lease_owner="", lease_expires_at=None, updated_at=now, **values)
    )


def _fail(
    alias: str,
    claimed: Delivery,
    owner: str,
    error: tuple[str, str],
    policy: RetryPolicy,
    *,
    dead: bool,
) -> Outcome:
    """Record the error; retry after a backoff, or dead after the last attempt."""
    dead = dead or claimed.attempts >= claimed.max_attempts
    values: dict[str, Any] = {"last_error": error[0], "traceback": error[1]}
    if dead:
        values["status"] = "dead"
    else:
        delay = policy.delay(claimed.attempts)
        values["next_run_at"] = timezone.now() + timedelta(seconds=delay)
    with transaction.atomic(using=alias):
        if not _write_back(alias, claimed, owner, **values):
            return "fenced"
    return "dead" if dead else "retrying"


def _policy_of(messenger: Messenger, claimed: Delivery) -> RetryPolicy:
    for spec in messenger.registry.specs():
        if spec.name == claimed.handler and spec.options.get("retry"):
            policy: RetryPolicy = spec.options["retry"]
            return policy
    return events.default_retry()


def _handler(messenger: Messenger, message_type: type[Any], claimed: Delivery) -> HandlerSpec:
    for spec in messenger.background_handlers(message_type):
        if spec.name == claimed.handler:
            return spec
    # Retried, not dead: during a rolling deploy an older worker may not know a new handler.
    raise LookupError(
        f"No background handler named {claimed.handler} hears {claimed.event.event_type} in "
        "this process: was it renamed, removed, or made inline?"
    )


def _actor(actor_id: Any) -> Any:
    if actor_id is None:
        return None
    return get_user_model()._default_manager.filter(pk=actor_id).first()


def _redacted(exc: Exception, claimed: Delivery) -> tuple[str, str]:
    """The error and its traceback, with the event's secrets scrubbed as the audit log does."""
    payload = AuditPayload(redact=fk_settings.AUDIT_REDACT)
    payload.dump(claimed.event.payload)
    error = payload.text(f"{type(exc).__name__}: {exc}")
    trace = payload.text("".join(traceback.format_exception(exc)))
    return error[:10_000], trace[-20_000:]
