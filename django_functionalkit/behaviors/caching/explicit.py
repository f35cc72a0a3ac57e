"""Invalidating by hand: for changes made outside commands (a script, a bulk update, raw SQL).

The same generations a command's ``invalidates_keys`` and ``invalidates_tags`` bump, bumped
once the database transaction commits (never after a rollback), or at once outside one.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from asgiref.sync import sync_to_async
from django.core.cache import caches

from django_functionalkit.commit import (
    defer_until_commit,
    in_transaction,
    note_writes,
    open_transactions,
)

from .invalidation import bump
from .keys import named_generations, namespace

__all__ = ["ainvalidate", "invalidate"]


def invalidate(
    *,
    keys: Iterable[str] = (),
    tags: Iterable[str] = (),
    cache_alias: str = "default",
    using: str | None = None,
) -> None:
    """Drop the cached entries of ``keys`` and ``tags``, for every actor.

    Inside a transaction on database ``using`` (default: any database) it happens when that
    transaction commits, and never if it rolls back; outside one, at once. A test's own
    transaction does not count, as for commands. A cache that fails is logged, never raised.
    """
    caches[cache_alias]  # an unknown alias is the caller's mistake: raised here, not later
    generations = named_generations(namespace(), keys, tags)
    if not generations:
        return

    deliver = partial(bump, cache_alias, generations, after="invalidate()")
    aliases = _open_on(using)
    if not aliases:
        deliver()
        return
    # Queries later in the same transaction must not serve what this change made stale.
    note_writes()
    defer_until_commit(deliver, using=aliases)


async def ainvalidate(
    *,
    keys: Iterable[str] = (),
    tags: Iterable[str] = (),
    cache_alias: str = "default",
    using: str | None = None,
) -> None:
    """``invalidate`` from async code: on Django's sync thread, where its transaction is."""
    call = sync_to_async(invalidate, thread_sensitive=True)
    await call(keys=_listed(keys), tags=_listed(tags), cache_alias=cache_alias, using=using)


def _open_on(using: str | None) -> tuple[str, ...]:
    """The aliases whose commit the invalidation waits for: ``using``'s, or every open one."""
    if using is None:
        return open_transactions()
    return (using,) if in_transaction(using) else ()


def _listed(names: Iterable[str]) -> Iterable[str]:
    """``names`` read now, on the caller's side: a generator is not read on another thread."""
    return names if isinstance(names, str) else tuple(names)
