"""``TransactionBehavior``: every command runs in ``transaction.atomic``; a ``Failure`` rolls back.

A command inside another (a handler sending a command, or a request under
``ATOMIC_REQUESTS``) runs in a savepoint of the outer transaction: its failure undoes its own
writes, and the outer code decides about the rest.

On the async path (``asend``), Django runs database work on one thread per request (the
thread-sensitive executor of ``sync_to_async``), sync handlers and the async ORM alike. The
atomic block is opened and closed on that thread, so the handler's queries run inside it. Code
that does database work on another thread of its own is outside the transaction. A cancelled
task never leaves the block open: opening it and closing it each go to their end.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, ClassVar

from asgiref.sync import sync_to_async
from django.db import DEFAULT_DB_ALIAS, transaction

from django_functionalkit import commit
from django_functionalkit.compat import thread_sensitive_context
from django_functionalkit.markers import NonTransactional
from django_functionalkit.messages import Command, Message
from django_functionalkit.results import Failure

from .base import Behavior
from .shield import to_the_end

__all__ = ["TransactionBehavior"]


class TransactionBehavior(Behavior):
    """Runs commands atomically on ``using`` (the default database by default).

    For another database, list an instance, ``TransactionBehavior(using="orders")``, or a
    subclass that sets ``using``; notifications published inside then wait for that database's
    commit.
    """

    message_types: ClassVar[tuple[type, ...]] = (Command,)
    using: str = DEFAULT_DB_ALIAS

    def __init__(self, using: str | None = None) -> None:
        """``using``: the alias of the database whose transaction the commands run in."""
        if using is not None:
            self.using = using

    def applies_to(self, message_type: type[Message]) -> bool:
        """Commands, except those marked ``NonTransactional``."""
        return super().applies_to(message_type) and not issubclass(message_type, NonTransactional)

    def handle(self, message: Any, call_next: Callable[[Any], Any]) -> Any:
        token = commit.enter(self.using)  # for async code this command calls (async_to_sync)
        try:
            with transaction.atomic(using=self.using):
                commit.note_writes()
                result = call_next(message)
                if isinstance(result, Failure):
                    transaction.set_rollback(True, using=self.using)
        finally:
            commit.leave(token)
        return result

    async def ahandle(self, message: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        # Commands running concurrently on one connection would interleave their atomic
        # blocks (each exit would pop the other's savepoint): they take turns. A command sent
        # by another's handler takes its turn among its siblings, inside its parent's block.
        async with _turn_lock():
            nested_turns = _nested_commands_lock.set(asyncio.Lock())
            try:
                return await self._atomically(message, call_next)
            finally:
                _nested_commands_lock.reset(nested_turns)

    async def _atomically(self, message: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        # Opening and closing the block are two trips to the database thread. Each goes to its
        # end even when the task is cancelled meanwhile (a timeout, a client gone): a block
        # opened and never closed would hold the connection's transaction open, and every
        # later write on it would be lost with it.
        atomic = transaction.atomic(using=self.using)
        try:
            await to_the_end(_on_db_thread(_open, atomic))
        except asyncio.CancelledError as exc:  # cancelled while it opened: it opened all the same
            await to_the_end(_on_db_thread(atomic.__exit__, type(exc), exc, exc.__traceback__))
            raise
        token = commit.enter(self.using)
        try:
            result = await call_next(message)
        except BaseException as exc:
            commit.leave(token)
            await to_the_end(_on_db_thread(atomic.__exit__, type(exc), exc, exc.__traceback__))
            raise
        commit.leave(token)
        await to_the_end(_on_db_thread(_close, atomic, self.using, isinstance(result, Failure)))
        return result


def _open(atomic: transaction.Atomic) -> None:
    """Enter the block and mark it as holding a command's writes (``commit.note_writes``)."""
    atomic.__enter__()
    commit.note_writes()


def _close(atomic: transaction.Atomic, using: str, failed: bool) -> None:
    """Leave the block, rolling back for a ``Failure``: one trip to the database thread."""
    if failed:
        transaction.set_rollback(True, using=using)
    atomic.__exit__(None, None, None)


# The lock the commands sent by the running command's handler take turns on (set while a
# command runs; None outside any command).
_nested_commands_lock: ContextVar[asyncio.Lock | None] = ContextVar(
    "functionalkit_child_turns", default=None
)
# The lock top-level commands take turns on, one per database thread: keyed by the context
# that picks the thread (one per request under ASGI) or, without one, by the event loop.
_db_thread_locks: weakref.WeakKeyDictionary[object, asyncio.Lock] = weakref.WeakKeyDictionary()


def _turn_lock() -> asyncio.Lock:
    """The lock a command takes its turn on: its parent's (for a nested command), else the one
    of the database thread this context uses."""
    parent = _nested_commands_lock.get()
    if parent is not None:
        return parent
    owner = thread_sensitive_context() or asyncio.get_running_loop()
    lock = _db_thread_locks.get(owner)
    if lock is None:
        lock = _db_thread_locks[owner] = asyncio.Lock()
    return lock


async def _on_db_thread(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``fn`` on the thread Django's async ORM and sync handlers use for this context."""
    return await sync_to_async(fn, thread_sensitive=True)(*args, **kwargs)
