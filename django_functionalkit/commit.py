"""Whether code runs inside a transaction, per database alias, and work deferred until it commits.

One definition, used by ``publish`` / ``apublish`` (delivery after commit), the cache behavior
and the transaction behavior: a transaction is open on alias X around some code when the
connection its database work goes through is inside an atomic block on X that is not a test's
own (Django's ``TestCase``, pytest-django's ``db``: there, code runs as it would outside a test).

- Sync code (a view, a handler, code that ``sync_to_async`` runs on Django's database thread):
  this thread's connections answer.
- Async code: its database work runs on Django's database thread (the thread-sensitive executor
  of ``sync_to_async``), whose connections the event loop cannot read without a trip there. The
  only atomic block open around async code is one the transaction behavior opened there (Django
  refuses ``ATOMIC_REQUESTS`` for async views, and ``atomic`` in async code), so the behavior
  records its alias in a ContextVar, and async code reads that. The ContextVar follows the code
  into ``async_to_sync`` and ``sync_to_async``, so async code called from a sync command sees it.
  (Async code that sync code calls through ``async_to_sync`` inside a block of its own, not a
  command's, does not: telling would cost a trip to that thread on every ``apublish``.)

``messenger.publish`` asks on every call, so the sync answer is a thread-local read and one
attribute per initialized connection.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from contextvars import ContextVar, Token
from functools import partial
from typing import Any

from django.core.signals import setting_changed
from django.db import connections, transaction

from .compat import commit_callbacks, has_own_atomic_block, running_loop

__all__ = [
    "defer_until_commit",
    "enter",
    "has_writes",
    "in_transaction",
    "leave",
    "note_writes",
    "open_transactions",
]

logger = logging.getLogger("django_functionalkit")

# The aliases whose atomic blocks the transaction behavior opened around the current code,
# innermost last (set on both paths; read by async code, see the module docstring).
_opened: ContextVar[tuple[str, ...]] = ContextVar("functionalkit_open_transactions", default=())


def open_transactions() -> tuple[str, ...]:
    """The aliases with a transaction open around the calling code (a test's excluded)."""
    if running_loop() is not None:
        return tuple(dict.fromkeys(_opened.get()))
    return tuple(
        c.alias for c in _thread_connections() if c.in_atomic_block and has_own_atomic_block(c)
    )


def in_transaction(using: str | None = None) -> bool:
    """Whether a transaction is open around the calling code on ``using`` (any alias if None)."""
    if running_loop() is not None:
        opened = _opened.get()
        return bool(opened) if using is None else using in opened
    for c in _thread_connections():  # a loop, not any(): publish asks on every call
        if c.in_atomic_block and (using is None or c.alias == using) and has_own_atomic_block(c):
            return True
    return False


def enter(using: str) -> Token[tuple[str, ...]]:
    """Record that the transaction behavior opened a block on ``using`` around what follows."""
    return _opened.set((*_opened.get(), using))


def leave(token: Token[tuple[str, ...]]) -> None:
    """Forget the block recorded by ``enter``."""
    _opened.reset(token)


def defer_until_commit(deliver: Callable[[], None], using: Iterable[str] | None = None) -> None:
    """Run ``deliver`` once every open transaction (or those on ``using``) has committed.

    Never if one of them rolls back; at once when none is open. An exception from ``deliver``
    is logged once, under its name: after the commit there is nobody to raise it to. Sync only:
    the callbacks live on this thread's connections.
    """
    aliases = tuple(open_transactions() if using is None else using)
    name = _name_of(deliver)
    if not aliases:
        _logged(deliver, name)()
        return
    # Each alias commits on its own: deliver when the last of them has.
    waiting = set(aliases)

    def committed(alias: str) -> None:
        waiting.discard(alias)
        if not waiting:
            _logged(deliver, name)()

    for alias in aliases:
        transaction.on_commit(_named(partial(committed, alias), name), using=alias, robust=True)


def note_writes() -> None:
    """Mark the open transactions as holding writes the cache does not know of yet.

    A command marks them as it begins (the transaction and cache behaviors do); so should code
    whose cache invalidation waits for the commit. The mark is an on_commit callback that does
    nothing: Django drops it with a rollback (of the transaction, or of the savepoint it was
    added in) and after the commit, exactly when those writes stop being this transaction's own.
    """
    for alias in open_transactions():
        transaction.on_commit(_wrote, using=alias)


def has_writes() -> bool:
    """Whether a transaction open around the calling code is marked by ``note_writes``.

    Sync code only (on the database thread, for async code).
    """
    return any(
        _wrote in commit_callbacks(c)
        for c in _thread_connections()
        if c.in_atomic_block and has_own_atomic_block(c)
    )


def _wrote() -> None:
    """The mark ``note_writes`` leaves; nothing to do when it runs, at the commit."""


# -- helpers ------------------------------------------------------------------------------------

_local = threading.local()
_generation = [0]  # bumped when DATABASES changes: every thread builds its list again


def _thread_connections() -> list[Any]:
    """This thread's connection of every alias, kept per thread: read on every publish."""
    # An alias may also be added or removed at run time, without a setting_changed signal.
    settings = connections.settings
    try:
        generation, count, found = _local.connections
    except AttributeError:
        generation = count = -1
    if generation != _generation[0] or count != len(settings):
        found = [connections[alias] for alias in settings]
        _local.connections = (_generation[0], len(settings), found)
    return found  # type: ignore[no-any-return]


def _forget_connections(*, setting: str, **kwargs: Any) -> None:
    if setting == "DATABASES":  # Django then builds new connection objects
        _generation[0] += 1


setting_changed.connect(_forget_connections)


def _logged(deliver: Callable[[], None], name: str) -> Callable[[], None]:
    def run() -> None:
        try:
            deliver()
        except Exception:
            logger.exception("%s failed after the commit", name)

    return run


def _name_of(deliver: Callable[..., Any]) -> str:
    # A functools.partial has no name of its own: the function it wraps names it.
    found = getattr(deliver, "__qualname__", None) or getattr(
        getattr(deliver, "func", None), "__qualname__", None
    )
    return str(found or "work deferred until the commit")


def _named(fn: partial[None], name: str) -> partial[None]:
    """``fn`` under ``name``: Django names an on_commit callback when it logs about it."""
    fn.__qualname__ = fn.__name__ = name  # type: ignore[attr-defined]
    return fn
