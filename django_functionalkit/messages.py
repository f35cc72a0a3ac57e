"""The three kinds of message: ``Query[R]`` reads, ``Command[R]`` writes, ``Notification`` tells.

They are plain classes with no fields of their own, so frozen dataclasses (and plain classes)
inherit from them freely::

    @dataclass(frozen=True)
    class GetUserById(Query[Result[UserDto, Error]]):
        user_id: int

``R`` is what the handler returns and what ``messenger.query`` / ``send`` give back.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar, Generic, Literal, TypeVar
from uuid import UUID, uuid4

from .markers import Stored

__all__ = [
    "Command",
    "CommandHandler",
    "DomainEvent",
    "Message",
    "MessageKind",
    "Notification",
    "NotificationHandler",
    "Query",
    "QueryHandler",
]

R_co = TypeVar("R_co", covariant=True)

MessageKind = Literal["query", "command", "notification"]


class Message:
    """Base of the three kinds; ``kind`` says which one a message is (the name is reserved)."""

    __slots__ = ()
    kind: ClassVar[MessageKind]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__ != __name__ and (
            "kind" in cls.__dict__ or "kind" in inspect.get_annotations(cls)
        ):
            raise TypeError(
                f"{cls.__qualname__} defines `kind`, a name messages reserve for their kind "
                "(query, command or notification): give the field another name."
            )


class Query(Message, Generic[R_co]):
    """A read with no side effects; exactly one handler returns ``R``."""

    __slots__ = ()
    kind: ClassVar[MessageKind] = "query"


class Command(Message, Generic[R_co]):
    """A change; exactly one handler returns ``R`` (``Unit`` when there is nothing to return)."""

    __slots__ = ()
    kind: ClassVar[MessageKind] = "command"


class Notification(Message):
    """Something that happened; any number of handlers hear it, base-class handlers included."""

    __slots__ = ()
    kind: ClassVar[MessageKind] = "notification"


def _now() -> datetime:
    return datetime.now(UTC)


# kw_only: fields with defaults in a base would force defaults on every field of a subclass;
# keyword-only ones go after the subclass's own fields, so `OrderPlaced(order_id=7)` and
# `OrderPlaced(7)` both work, and the defaults can still be overridden by name.
@dataclass(frozen=True, kw_only=True)
class DomainEvent(Notification, Stored):
    """The guide's base of domain events: a stored notification with an id and a time.

    Subclasses are frozen dataclasses (a dataclass cannot unfreeze its base)::

        @dataclass(frozen=True)
        class OrderPlaced(DomainEvent):
            order_id: int
    """

    event_id: UUID = field(default_factory=uuid4)
    occurred_at: datetime = field(default_factory=_now)


def kind_of(message_type: object) -> MessageKind | None:
    """The kind of a message class, or ``None`` for anything that is not a message."""
    if not isinstance(message_type, type):
        return None
    if issubclass(message_type, Query):
        return "query"
    if issubclass(message_type, Command):
        return "command"
    if issubclass(message_type, Notification):
        return "notification"
    return None


M_contra = TypeVar("M_contra", contravariant=True)
N_contra = TypeVar("N_contra", bound=Notification, contravariant=True)


class QueryHandler(Generic[M_contra, R_co]):
    """A class that handles one query: define ``handle`` (or ``async def handle``).

    Register it with ``@handler``; it is built per dispatch by ``FUNCTIONALKIT["HANDLER_FACTORY"]``
    (default: called with no arguments), so a DI container can supply its dependencies.
    """

    def handle(self, query: M_contra, /) -> R_co | Awaitable[R_co]:
        raise NotImplementedError


class CommandHandler(Generic[M_contra, R_co]):
    """A class that handles one command: define ``handle`` (or ``async def handle``)."""

    def handle(self, command: M_contra, /) -> R_co | Awaitable[R_co]:
        raise NotImplementedError


class NotificationHandler(Generic[N_contra]):
    """A class that hears one notification type (and its subclasses)."""

    def handle(self, notification: N_contra, /) -> Awaitable[None] | None:
        raise NotImplementedError
