"""Stored events: written in the publishing transaction, read back as notifications.

``publish`` calls ``store`` (``apublish``: ``astore``) for every notification marked ``Stored``
(every ``DomainEvent``), before its handlers wait for the commit::

    from django_functionalkit.delivery import events

    for event in events.read(OrderPlaced, since=yesterday):
        print(event.event_id, event.occurred_at, event.notification.order_id)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload
from uuid import UUID, uuid4

from asgiref.sync import sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils.module_loading import import_string

from django_functionalkit import commit
from django_functionalkit.conf import fk_settings
from django_functionalkit.context import actor_name, actor_pk, current_context
from django_functionalkit.introspection import dotted_name, subclasses
from django_functionalkit.markers import Stored
from django_functionalkit.messages import DomainEvent, Notification

from . import serialization
from .policy import RetryPolicy

if TYPE_CHECKING:
    from django_functionalkit.models import Delivery, StoredEvent
    from django_functionalkit.registry import HandlerSpec

__all__ = [
    "RecordedEvent",
    "astore",
    "event_database",
    "get",
    "read",
    "store",
    "stored_types",
    "type_name",
    "type_named",
]

N = TypeVar("N", bound=Notification)
logger = logging.getLogger("django_functionalkit.delivery")

# A DomainEvent's own fields live in their columns, not again in the payload.
_COLUMNS = ("event_id", "occurred_at")


@dataclass(frozen=True)
class RecordedEvent(Generic[N]):
    """A stored event read back: the notification rebuilt, and what the row says about it."""

    notification: N
    event_id: UUID
    event_type: str
    occurred_at: datetime
    actor_id: Any
    actor_name: str
    request_id: str


# -- type names ------------------------------------------------------------------------------


def type_name(cls: type) -> str:
    """The name rows of ``cls`` are stored under: its own ``event_type``, else module.QualName."""
    declared = cls.__dict__.get("event_type")  # each class its own: a subclass is another type
    return declared if isinstance(declared, str) else dotted_name(cls)


def stored_types() -> dict[str, list[type[Notification]]]:
    """Every stored notification class defined so far, by type name (one each, unless a
    name is taken twice: check E010)."""
    found: dict[str, list[type[Notification]]] = {}
    for cls in _stored_classes(Notification):
        found.setdefault(type_name(cls), []).append(cls)
    return found


def type_named(name: str) -> type[Notification]:
    """The class that reads rows stored as ``name``, through ``EVENT_TYPE_ALIASES`` if needed."""
    known = stored_types()
    alias: str | None = fk_settings.EVENT_TYPE_ALIASES.get(name)
    target = alias or name
    classes = known.get(target)
    if classes is None and alias is not None:
        try:
            loaded = import_string(alias)
        except ImportError as exc:
            raise LookupError(
                f'FUNCTIONALKIT["EVENT_TYPE_ALIASES"] maps {name!r} to {alias!r}, which is '
                f"neither a stored type name nor an importable class: {exc}"
            ) from exc
        if not (isinstance(loaded, type) and issubclass(loaded, Notification)):
            raise LookupError(
                f'FUNCTIONALKIT["EVENT_TYPE_ALIASES"] maps {name!r} to {alias!r}, which is not '
                "a notification class."
            )
        classes = [loaded]
    if not classes:
        raise LookupError(
            f"No stored notification type is named {name!r}: if its class moved or was renamed, "
            'declare its old name as event_type, or map it in FUNCTIONALKIT["EVENT_TYPE_ALIASES"].'
        )
    return classes[0]


def _names_of(cls: type[Notification]) -> set[str]:
    """The names rows of ``cls`` and its subclasses may be stored under (aliases included)."""
    classes = {cls, *_stored_classes(cls)} if issubclass(cls, Stored) else _stored_classes(cls)
    names = {type_name(c) for c in classes}
    names |= {
        old
        for old, new in fk_settings.EVENT_TYPE_ALIASES.items()
        if new in names or new in {dotted_name(c) for c in classes}
    }
    return names


def _stored_classes(base: type[Any]) -> set[type[Notification]]:
    found: list[type[Any]] = subclasses(base)
    return {sub for sub in found if issubclass(sub, Stored) and issubclass(sub, Notification)}


# -- writing ---------------------------------------------------------------------------------


def event_database() -> str:
    """The alias events are written through: ``EVENT_DATABASE``, else the router's choice."""
    from django_functionalkit.models import StoredEvent

    alias: str | None = fk_settings.EVENT_DATABASE
    if alias is None:
        return router.db_for_write(StoredEvent)
    if alias not in connections.settings:
        raise ImproperlyConfigured(
            f'FUNCTIONALKIT["EVENT_DATABASE"] is {alias!r}, which is not in DATABASES '
            f"({', '.join(connections.settings)})."
        )
    return alias


def store(notification: Notification, background: Sequence[HandlerSpec] = ()) -> None:
    """Write the event of ``notification``, and a delivery row for each ``background`` handler:
    in the transaction open on the event database.

    Outside one, in a transaction of its own. Inside transactions on other databases only, when
    they have all committed (never after a rollback; see docs/events.md). Sync code only (on the
    database thread, for async code: ``astore``).
    """
    row = _row(notification)
    deliveries = [_delivery(row, spec) for spec in background]
    alias = event_database()

    def write() -> None:
        row.save(using=alias, force_insert=True)
        if deliveries:
            type(deliveries[0]).objects.using(alias).bulk_create(deliveries)

    def write_then_wake() -> None:
        with transaction.atomic(using=alias):
            write()
        _wake(deliveries)

    opened = commit.open_transactions()
    if alias in opened:
        # A failure raises into the publisher: its transaction must not commit without its event.
        write()
        if deliveries:  # the wake-ups once the rows are visible to workers; none on a rollback
            commit.defer_until_commit(partial(_wake, deliveries), (alias,))
    elif not opened:
        write_then_wake()
    else:
        commit.defer_until_commit(write_then_wake, opened)


def _wake(deliveries: list[Delivery]) -> None:
    """Enqueue a task per delivery (delivery.tasks); a failure is logged there, never raised."""
    if not deliveries:
        return
    try:
        from .tasks import wake
    except Exception:  # e.g. TASKS without the backend the task is defined on
        logger.exception("The delivery task could not be loaded; the sweeper will run them")
        return
    wake(d.pk for d in deliveries)


# The transaction of an async command lives on Django's database thread: so does its event.
astore = sync_to_async(store, thread_sensitive=True)


def _delivery(row: StoredEvent, spec: HandlerSpec) -> Delivery:
    from django_functionalkit.models import Delivery

    policy: RetryPolicy = spec.options.get("retry") or default_retry()
    now = datetime.now(UTC)
    return Delivery(
        event=row,
        handler=spec.name,
        max_attempts=policy.attempts,
        next_run_at=now,
        created_at=now,
        updated_at=now,
    )


def default_retry() -> RetryPolicy:
    """The retry policy of a background handler that declares none: ``DELIVERY_RETRY``."""
    return RetryPolicy(**fk_settings.DELIVERY_RETRY)


def _row(notification: Notification) -> StoredEvent:
    from django_functionalkit.models import StoredEvent

    payload = serialization.dump(notification)
    if isinstance(notification, DomainEvent):
        event_id, occurred_at = notification.event_id, notification.occurred_at
        for name in _COLUMNS:
            del payload[name]
    else:
        event_id, occurred_at = uuid4(), datetime.now(UTC)
    context = current_context()
    return StoredEvent(
        id=event_id,
        event_type=type_name(type(notification)),
        payload=payload,
        occurred_at=occurred_at,
        actor_id=actor_pk(context.actor),
        actor_name=actor_name(context.actor)[:255],
        request_id=(context.request_id or "")[:255],
    )


# -- reading ---------------------------------------------------------------------------------


@overload
def read(
    types: type[N] | Iterable[type[N]],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    after_id: UUID | str | None = None,
    using: str | None = None,
) -> Iterator[RecordedEvent[N]]: ...


@overload
def read(
    types: None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    after_id: UUID | str | None = None,
    using: str | None = None,
) -> Iterator[RecordedEvent[Notification]]: ...


def read(
    types: type[Any] | Iterable[type[Any]] | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    after_id: UUID | str | None = None,
    using: str | None = None,
) -> Iterator[RecordedEvent[Any]]:
    """Stored events in the order they occurred, rebuilt as notifications.

    ``types``: a class or classes (their stored subclasses included); ``since`` (inclusive) and
    ``until`` (exclusive): a time range; ``after_id``: resume after that event, as a cursor.
    """
    from django_functionalkit.models import StoredEvent

    rows = StoredEvent.objects.using(using or event_database()).order_by("occurred_at", "id")
    if types is not None:
        classes = [types] if isinstance(types, type) else list(types)
        rows = rows.filter(event_type__in=set().union(*(_names_of(c) for c in classes)))
    if since is not None:
        rows = rows.filter(occurred_at__gte=since)
    if until is not None:
        rows = rows.filter(occurred_at__lt=until)
    if after_id is not None:
        last = StoredEvent.objects.using(rows.db).get(pk=after_id)
        rows = rows.filter(
            Q(occurred_at__gt=last.occurred_at) | Q(occurred_at=last.occurred_at, id__gt=last.pk)
        )
    for row in rows.iterator(chunk_size=500):
        yield rebuild(row)


def get(event_id: UUID | str, *, using: str | None = None) -> RecordedEvent[Notification]:
    """One stored event by its id (``StoredEvent.DoesNotExist`` if there is none)."""
    from django_functionalkit.models import StoredEvent

    return rebuild(StoredEvent.objects.using(using or event_database()).get(pk=event_id))


def rebuild(row: StoredEvent) -> RecordedEvent[Any]:
    """The notification a row holds, with the row's metadata."""
    cls = type_named(row.event_type)
    data = dict(row.payload)
    if issubclass(cls, DomainEvent):
        data.update(event_id=str(row.pk), occurred_at=row.occurred_at.isoformat())
    return RecordedEvent(
        notification=serialization.load(cls, data),
        event_id=row.pk,
        event_type=row.event_type,
        occurred_at=row.occurred_at,
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        request_id=row.request_id,
    )
