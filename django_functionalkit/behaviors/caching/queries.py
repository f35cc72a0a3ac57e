"""A ``Cacheable`` query, sync and async: a hit is one ``get_many`` of its entry and generations.

A miss runs the handler (once for all concurrent misses where the backend locks) and stores
the result stamped with the generations read before, so an entry computed while a command
committed is never served.

Inside a transaction (``ATOMIC_REQUESTS``, ``transaction.atomic``, see ``commit``): the cache is
read, and a miss is stored when the transaction commits, never after a rollback (nor under a
snapshot isolation level: see ``isolation``). Once a command ran in the transaction, its writes
are there but not committed, and the cache does not know them yet (its invalidations wait for
the commit): the query then neither reads nor fills it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.db import connections

from django_functionalkit.commit import (
    defer_until_commit,
    has_writes,
    in_transaction,
    open_transactions,
)
from django_functionalkit.context import current_context
from django_functionalkit.memos import memo
from django_functionalkit.results import Failure

from .failures import failed
from .isolation import reads_a_snapshot
from .keys import MISS, Entry, entry_for
from .lock import aacquire, acquire, arelease, lock_for, release

__all__ = ["aserve", "serve"]

Next = Callable[[Any], Any]
AsyncNext = Callable[[Any], Awaitable[Any]]


# -- the sync path ----------------------------------------------------------------------------


def serve(query: Any, call_next: Next) -> Any:
    """``query``'s result from the cache, or from its handler (and then cached)."""
    if in_transaction() and has_writes():
        return call_next(query)  # it must see the command's writes: see the module docstring
    entry = entry_for(query, current_context().actor)
    if entry is None:
        return call_next(query)
    cache = caches[entry.alias]
    found = _read(cache, entry)
    if found is None:
        return call_next(query)
    value = entry.cached(found)
    if value is not MISS:
        return value
    return _compute(cache, entry, found, query, call_next)


def _compute(
    cache: BaseCache, entry: Entry, found: dict[str, Any], query: Any, call_next: Next
) -> Any:
    """A miss: computed once for all concurrent misses where the backend locks, else here."""
    lock = lock_for(cache, entry)
    if lock is None or not acquire(lock, entry):
        return _fill(cache, entry, found, query, call_next)
    try:
        # Whoever held the lock before may have filled the entry: read it again.
        again = _read(cache, entry)
        if again is None:
            return call_next(query)
        value = entry.cached(again)
        return value if value is not MISS else _fill(cache, entry, again, query, call_next)
    finally:
        release(lock, entry)


def _read(cache: BaseCache, entry: Entry) -> dict[str, Any] | None:
    try:
        return cache.get_many(entry.lookup)
    except Exception as exc:
        failed(exc, entry.alias, "reading", entry.name)
        return None


def _fill(
    cache: BaseCache, entry: Entry, found: dict[str, Any], query: Any, call_next: Next
) -> Any:
    """Run the handler and store what it returns, stamped with generations taken before.

    Inside a transaction it is stored when the transaction commits, never if it rolls back (the
    handler read inside it); a command committing meanwhile makes the stamp old, as ever.
    """
    missing = entry.missing_generations(found)
    if missing:
        try:
            cache.set_many(missing, entry.timeout)
        except Exception as exc:
            failed(exc, entry.alias, "stamping", entry.name)
            return call_next(query)
    value = call_next(query)
    if not isinstance(value, Failure) and not _reads_a_snapshot():
        # At once outside a transaction.
        defer_until_commit(
            partial(_store, cache, entry, (entry.stamp({**found, **missing}), value))
        )
    return value


def _reads_a_snapshot() -> bool:
    """Whether an open transaction reads a snapshot older than the generations (see isolation)."""
    return any(reads_a_snapshot(connections[alias].settings_dict) for alias in open_transactions())


def _store(cache: BaseCache, entry: Entry, stored: tuple[Any, Any]) -> None:
    try:
        cache.set(entry.key, stored, entry.timeout)
    except Exception as exc:
        failed(exc, entry.alias, "writing", entry.name)


# -- the async path ---------------------------------------------------------------------------


async def aserve(query: Any, call_next: AsyncNext) -> Any:
    """``serve`` through the cache's async API and worker threads."""
    if in_transaction():
        # Async code runs in no transaction but a command's (see commit): one ran, as in serve.
        return await call_next(query)
    context = current_context()
    # A lazy request.user would query the database from the event loop when read: load it.
    actor = await context.aactor() if query.cache_per_user else context.actor
    entry = entry_for(query, actor)
    if entry is None:
        return await call_next(query)
    cache = caches[entry.alias]
    found = await _aread(cache, entry)
    if found is None:
        return await call_next(query)
    value = entry.cached(found)
    if value is not MISS:
        return value
    return await _acompute(cache, entry, found, query, call_next)


async def _acompute(
    cache: BaseCache, entry: Entry, found: dict[str, Any], query: Any, call_next: AsyncNext
) -> Any:
    lock = lock_for(cache, entry)
    if lock is None or not await aacquire(lock, entry):
        return await _afill(cache, entry, found, query, call_next)
    try:
        again = await _aread(cache, entry)
        if again is None:
            return await call_next(query)
        value = entry.cached(again)
        if value is not MISS:
            return value
        return await _afill(cache, entry, again, query, call_next)
    finally:
        await arelease(lock, entry)


async def _aread(cache: BaseCache, entry: Entry) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = await _async_call(cache, "get_many", entry.lookup)
    except Exception as exc:
        failed(exc, entry.alias, "reading", entry.name)
        return None
    return found


async def _afill(
    cache: BaseCache, entry: Entry, found: dict[str, Any], query: Any, call_next: AsyncNext
) -> Any:
    missing = entry.missing_generations(found)
    if missing:
        try:
            await _async_call(cache, "set_many", missing, entry.timeout)
        except Exception as exc:
            failed(exc, entry.alias, "stamping", entry.name)
            return await call_next(query)
    value = await call_next(query)
    if not isinstance(value, Failure):
        stored = (entry.stamp({**found, **missing}), value)
        try:
            await _async_call(cache, "set", entry.key, stored, entry.timeout)
        except Exception as exc:
            failed(exc, entry.alias, "writing", entry.name)
    return value


# Whether a backend class implements an async method itself (a test may patch one in).
_NATIVE_ASYNC: dict[tuple[type, str], bool] = memo()


def _async_call(cache: BaseCache, name: str, *args: Any) -> Awaitable[Any]:
    """``cache.a<name>(*args)`` where the backend implements it, else one hop to ``<name>``.

    Django's fallback ``aget_many`` and ``aset_many`` hop to a thread once per key; one hop for
    the whole call keeps a hit to one thread switch on backends without native async methods.
    """
    native = _NATIVE_ASYNC.get((type(cache), name))
    if native is None:
        native = getattr(type(cache), f"a{name}") is not getattr(BaseCache, f"a{name}")
        _NATIVE_ASYNC[type(cache), name] = native
    if native:
        awaitable: Awaitable[Any] = getattr(cache, f"a{name}")(*args)
        return awaitable
    return sync_to_async(getattr(cache, name), thread_sensitive=True)(*args)
