"""``AuditBehavior``: an ``AuditEntry`` for every command, and for the queries that ask for one.

Every outcome is recorded: a result, a ``Failure``, an exception, and on the async path a
cancellation (``success`` false, ``error`` starting with "Cancelled").

List it before (outside) ``TransactionBehavior``, so that the entry is written after the
command's own transaction has ended::

    FUNCTIONALKIT = {
        "BEHAVIORS": [
            "django_functionalkit.behaviors.audit.AuditBehavior",
            "django_functionalkit.behaviors.transaction.TransactionBehavior",
        ],
        "AUDIT_DATABASE": "audit",  # a second alias of the same database
    }

Where the entry goes: through ``AUDIT_DATABASE``, a connection of its own, whose writes commit
whatever the default connection's transaction does (an outer ``atomic``, ``ATOMIC_REQUESTS``).
SQLite allows one writer at a time and keeps the lock until a transaction ends, so while another
connection to the same SQLite database is inside a transaction the entry is written through that
connection, instead of waiting on its lock until "database is locked"; it then lasts as long as
that transaction does.
A failed write is logged with the entry and never changes what the message returns or raises.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asgiref.sync import sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router, transaction
from django.utils import timezone

from django_functionalkit import audit_payload
from django_functionalkit.conf import audit_database_problem, fk_settings
from django_functionalkit.context import MessageContext, actor_name, actor_pk, current_context
from django_functionalkit.markers import Audited
from django_functionalkit.messages import Command, Message
from django_functionalkit.results import Failure, Success

from .base import Behavior
from .shield import to_the_end

__all__ = ["CANCELLED", "AuditBehavior", "audit_database", "is_audited"]

logger = logging.getLogger("django_functionalkit.audit")

_MAX_TEXT = 255  # the length of the entry's short text columns

#: The error of the entry of an async message whose task was cancelled before it finished.
CANCELLED = "Cancelled: its task was cancelled (a timeout, a client gone) before it finished"


class AuditBehavior(Behavior):
    """Records who sent each audited message, its data, its outcome and its duration."""

    def applies_to(self, message_type: type[Message]) -> bool:
        """Commands; queries and notifications marked ``Audited``; all queries with
        ``AUDIT_QUERIES``. Decided once per type, when its pipeline is built."""
        audited = is_audited(message_type)
        if audited:
            _check_database()
        return audited

    def handle(self, message: Any, call_next: Callable[[Any], Any]) -> Any:
        started = _Started()
        try:
            result = call_next(message)
        except Exception as exc:
            record(started, message, exc, started.elapsed())
            raise
        record(started, message, result, started.elapsed())
        return result

    async def ahandle(self, message: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        # A cancellation (a timeout, a client gone) is an outcome too: recorded, then it goes
        # on. Each write goes to its end even when the task is cancelled while it runs.
        started = _Started()
        try:
            result = await call_next(message)
        except (Exception, asyncio.CancelledError) as exc:
            await to_the_end(_arecord(started, message, exc, started.elapsed()))
            raise
        await to_the_end(_arecord(started, message, result, started.elapsed()))
        return result


def is_audited(message_type: type[Message]) -> bool:
    """Whether ``AuditBehavior`` records messages of ``message_type``."""
    if issubclass(message_type, (Command, Audited)):
        return True
    return message_type.kind == "query" and bool(fk_settings.AUDIT_QUERIES)


def audit_database() -> str:
    """The alias entries are written through: ``AUDIT_DATABASE``, else the router's choice."""
    from django_functionalkit.models import AuditEntry

    alias: str | None = fk_settings.AUDIT_DATABASE
    return alias or router.db_for_write(AuditEntry)


def _check_database() -> None:
    problem = audit_database_problem(fk_settings.AUDIT_DATABASE)
    if problem is not None:
        raise ImproperlyConfigured(" ".join(problem))


@dataclass(frozen=True)
class _Started:
    """When and in which context a message was dispatched."""

    timestamp: datetime = field(default_factory=timezone.now)
    clock: float = field(default_factory=time.perf_counter)
    context: MessageContext = field(default_factory=current_context)

    def elapsed(self) -> float:
        """Seconds since the dispatch started."""
        return time.perf_counter() - self.clock


# -- recording -------------------------------------------------------------------------------------


def record(started: _Started, message: Any, outcome: object, duration: float) -> None:
    """Write the entry of one dispatch; ``outcome`` is what it returned or the exception raised.

    Never raises: a failure to write is logged with the entry.
    """
    fields: dict[str, Any] = {}
    try:
        fields = entry_fields(started, message, outcome, duration)
        write(fields)
    except Exception:
        logger.exception(
            "The audit entry of %s could not be written: %s",
            audit_payload.dotted_name(type(message)),
            json.dumps(fields, default=str, ensure_ascii=False),
        )


# Thread-sensitive: on the thread where this request's sync code and transactions run.
_arecord = sync_to_async(record, thread_sensitive=True)


def entry_fields(
    started: _Started, message: Any, outcome: object, duration: float
) -> dict[str, Any]:
    """The ``AuditEntry`` fields of one dispatch, redacted and capped."""
    payload = audit_payload.AuditPayload(redact=fk_settings.AUDIT_REDACT)
    failed = isinstance(outcome, (Failure, Exception, asyncio.CancelledError))
    request_data = payload.dump(message)
    # The success column says which side a Result was on; the outcome is what it held.
    if isinstance(outcome, Failure):
        outcome = outcome.error
    elif isinstance(outcome, Success):
        outcome = outcome.value
    stored_outcome = payload.dump(outcome)
    limit: int = fk_settings.AUDIT_MAX_PAYLOAD
    actor = started.context.actor
    return {
        "timestamp": started.timestamp,
        "actor_id": actor_pk(actor),
        "actor_name": actor_name(actor)[:_MAX_TEXT],
        "kind": message.kind,
        "message_type": audit_payload.dotted_name(type(message))[:_MAX_TEXT],
        "request_data": audit_payload.cap(payload.scrub(request_data), limit),
        "outcome": audit_payload.cap(payload.scrub(stored_outcome), limit),
        "error": payload.text(_error_text(outcome))[:limit] if failed else "",
        "success": not failed,
        "duration": duration,
        "request_id": (started.context.request_id or "")[:_MAX_TEXT],
        "client_ip": audit_payload.client_address(started.context.client_ip),
    }


def write(fields: dict[str, Any]) -> None:
    """Insert one entry through the audit database (see the module docstring for SQLite)."""
    from django_functionalkit.models import AuditEntry

    alias = _writable(audit_database())
    if connections[alias].in_atomic_block:
        # A savepoint: a failed insert (a lock timeout, a missing table) must not doom the
        # caller's transaction, which an audit entry never changes the outcome of.
        with transaction.atomic(using=alias):
            AuditEntry.objects.using(alias).create(**fields)
    else:
        AuditEntry.objects.using(alias).create(**fields)


def _writable(alias: str) -> str:
    """``alias``, or on SQLite the connection holding the database's write lock, if any."""
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return alias
    database = _sqlite_file(connection.settings_dict["NAME"])
    for other in connections.all(initialized_only=True):
        if (
            other.vendor == "sqlite"
            and other.in_atomic_block
            and _sqlite_file(other.settings_dict["NAME"]) == database
        ):
            return other.alias
    return alias


def _sqlite_file(name: object) -> str:
    text = os.fspath(name) if isinstance(name, os.PathLike) else str(name)
    return text if text.startswith("file:") or text == ":memory:" else os.path.realpath(text)


def _error_text(error: object) -> str:
    if isinstance(error, asyncio.CancelledError):
        return CANCELLED
    if isinstance(error, BaseException):
        message = str(error)
        return f"{type(error).__name__}: {message}" if message else type(error).__name__
    return str(error)
