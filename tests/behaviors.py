"""Behaviors the pipeline tests list in ``FUNCTIONALKIT["BEHAVIORS"]`` by dotted path."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from django_functionalkit import Command, Failure, Notification, Query, current_context
from django_functionalkit.behaviors import AuditBehavior, Behavior
from django_functionalkit.messages import Message

# What the behaviors saw, in order: (behavior, event, message kind, actor).
LOG: list[tuple[str, str, str, Any]] = []
# How often each behavior class was asked whether it applies to each message type.
applies_to_calls: Counter[tuple[str, type]] = Counter()


def reset() -> None:
    LOG.clear()
    applies_to_calls.clear()


class Recording(Behavior):
    """Records before and after the rest of the pipeline, on both paths."""

    def applies_to(self, message_type: type[Message]) -> bool:
        applies_to_calls[type(self).__name__, message_type] += 1
        return super().applies_to(message_type)

    def _record(self, event: str, message: Any) -> None:
        LOG.append((type(self).__name__, event, message.kind, current_context().actor))

    def handle(self, message: Any, call_next: Callable[[Any], Any]) -> Any:
        self._record("before", message)
        result = call_next(message)
        self._record("after", message)
        return result

    async def ahandle(self, message: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        self._record("before async", message)
        result = await call_next(message)
        self._record("after async", message)
        return result


class Outer(Recording):
    pass


class Inner(Recording):
    pass


class QueriesOnly(Recording):
    message_types: ClassVar[tuple[type, ...]] = (Query,)


class CommandsOnly(Recording):
    message_types: ClassVar[tuple[type, ...]] = (Command,)


class NotificationsOnly(Recording):
    message_types: ClassVar[tuple[type, ...]] = (Notification,)


class MembersOnly:
    """Marker: a message that only a signed-in actor may dispatch."""


class RequireActor(Recording):
    """Short-circuits with a ``Failure`` when nobody acts, without calling the handler."""

    message_types: ClassVar[tuple[type, ...]] = (MembersOnly,)

    def handle(self, message: Any, call_next: Callable[[Any], Any]) -> Any:
        if current_context().actor is None:
            self._record("refused", message)
            return Failure("sign in first")
        return call_next(message)

    async def ahandle(self, message: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        if current_context().actor is None:
            self._record("refused async", message)
            return Failure("sign in first")
        return await call_next(message)


class Upper(Behavior):
    """Changes what the handler returned: proves the behavior's return value is the result."""

    message_types: ClassVar[tuple[type, ...]] = (Query,)

    def handle(self, message: Any, call_next: Callable[[Any], Any]) -> Any:
        return str(call_next(message)).upper()

    async def ahandle(self, message: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        return str(await call_next(message)).upper()


class NotABehavior:
    """Has the right methods but does not subclass Behavior."""

    def handle(self, message: Any, call_next: Callable[[Any], Any]) -> Any:
        return call_next(message)


class GetsOnly(Recording):
    """Applies by a predicate on the type rather than by ``message_types``."""

    def applies_to(self, message_type: type[Message]) -> bool:
        applies_to_calls[type(self).__name__, message_type] += 1
        return message_type.__name__.startswith("Get")


class SyncOnly(Behavior):
    """Overrides handle() only: on the async path it would silently do nothing."""

    def handle(self, message: Any, call_next: Callable[[Any], Any]) -> Any:
        return call_next(message)


class MyAudit(AuditBehavior):
    """A project's own audit behavior, subclassing the library's."""
