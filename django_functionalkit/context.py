"""The context a message is dispatched in: who acts, and for which request.

Behaviors read it with ``current_context()``. It lives in a ``ContextVar``, so each request,
thread and asyncio task sees its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from asgiref.sync import sync_to_async
from django.utils.functional import LazyObject

from .compat import UNLOADED, lazy_wrapped, load_lazy

__all__ = ["MessageContext", "current_context", "is_unloaded", "set_actor", "use_context"]


@dataclass(frozen=True, slots=True)
class MessageContext:
    """Who dispatches (``actor``: a user or ``None``), the request id and the client address."""

    actor: Any = None
    request_id: str | None = None
    client_ip: str | None = None

    async def aactor(self) -> Any:
        """The actor, for async code: Django's lazy ``request.user`` is loaded off the loop.

        Under ASGI the middleware loads the user before the view, and ``actor`` is safe to read
        as it is. Elsewhere (an async view under WSGI, an async handler sent a message by sync
        code) the actor may still be the lazy user, which would query the database from the
        event loop on first use: this method is the one way that is safe everywhere.
        """
        actor = self.actor
        if is_unloaded(actor):
            await sync_to_async(_load, thread_sensitive=True)(actor)
        return actor


def is_unloaded(actor: Any) -> bool:
    """Whether reading ``actor`` would run code (a query) that has not run yet."""
    while isinstance(actor, LazyObject):
        wrapped = lazy_wrapped(actor)
        if wrapped is UNLOADED:
            return True
        actor = wrapped  # the middleware's lazy actor wraps Django's lazy request.user
    return False


def _load(actor: Any) -> None:
    """Resolve every lazy layer of ``actor`` (on Django's database thread)."""
    while isinstance(actor, LazyObject):
        actor = load_lazy(actor)


_EMPTY = MessageContext()
_context: ContextVar[MessageContext] = ContextVar("functionalkit_context", default=_EMPTY)


def current_context() -> MessageContext:
    """The context of the current request, task or ``set_actor`` block."""
    return _context.get()


@contextmanager
def use_context(context: MessageContext) -> Iterator[MessageContext]:
    """Dispatch inside the block with ``context``; the previous one comes back after."""
    token = _context.set(context)
    try:
        yield context
    finally:
        _context.reset(token)


@contextmanager
def set_actor(actor: Any) -> Iterator[MessageContext]:
    """Act as ``actor`` inside the block: for shells, workers, management commands and tests."""
    with use_context(replace(current_context(), actor=actor)) as context:
        yield context


def actor_pk(actor: Any) -> Any:
    """The primary key of an actor that is a saved user, else ``None``: what a record keeps."""
    from django.contrib.auth import get_user_model

    if actor is None or not isinstance(actor, get_user_model()):
        return None
    return actor.pk


def actor_name(actor: Any) -> str:
    """The actor's username (or its text), as a record shows it; ``""`` for nobody."""
    if actor is None:
        return ""
    get_username = getattr(actor, "get_username", None)
    name = get_username() if callable(get_username) else ""
    return str(name or actor)
