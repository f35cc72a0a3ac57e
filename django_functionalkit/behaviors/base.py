"""``Behavior``: the base class of everything listed in ``FUNCTIONALKIT["BEHAVIORS"]``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from django_functionalkit.introspection import dotted_name
from django_functionalkit.messages import Message

__all__ = ["Behavior"]


class Behavior:
    """Runs around the handlers of the message types it applies to.

    Whether a behavior applies is decided once per message type, when that type's pipeline is
    built; a behavior that does not apply costs nothing at dispatch. Override ``applies_to`` (or
    set ``message_types``, the classes or marker mixins it applies to) and both ``handle`` (the
    sync path) and ``ahandle`` (the async path). Either may return without calling ``call_next``,
    for example a ``Failure``, to short-circuit. ``message.kind`` says what kind of message it is;
    ``current_context()`` gives the request context.
    """

    message_types: ClassVar[tuple[type, ...]] = (Message,)

    def applies_to(self, message_type: type[Message]) -> bool:
        """Whether this behavior wraps the handlers of ``message_type``."""
        return issubclass(message_type, self.message_types)

    def handle(self, message: Any, call_next: Callable[[Any], Any]) -> Any:
        """The sync path: call ``call_next(message)`` to run the rest of the pipeline."""
        return call_next(message)

    async def ahandle(self, message: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        """The async path: ``await call_next(message)`` to run the rest of the pipeline."""
        return await call_next(message)

    def has_path(self, *, is_async: bool) -> bool:
        """False when a subclass overrides one path only: the other would silently do nothing."""
        cls = type(self)
        own_sync = cls.handle is not Behavior.handle
        own_async = cls.ahandle is not Behavior.ahandle
        return own_async or not own_sync if is_async else own_sync or not own_async

    def __repr__(self) -> str:
        return dotted_name(type(self))
