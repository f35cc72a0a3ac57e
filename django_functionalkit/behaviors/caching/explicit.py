"""Invalidating by hand: for changes made outside commands (a script, a bulk update, raw SQL).

The same generations a command's ``invalidates_keys`` and ``invalidates_tags`` bump, bumped
once the database transaction commits (never after a rollback), or at once outside one.
"""

from __future__ import annotations

from collections.abc import Iterable

from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.db import transaction

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

    Inside a transaction of database ``using`` (default: the default database) it happens when
    that transaction commits, and never if it rolls back; outside one, at once. A cache that
    fails is logged, never raised.
    """
    caches[cache_alias]  # an unknown alias is the caller's mistake: raised here, not later
    generations = named_generations(namespace(), keys, tags)
    if not generations:
        return

    def invalidate_after_commit() -> None:
        bump(cache_alias, generations, after="invalidate()")

    # robust: whatever happens after the commit must not fail the code that committed.
    transaction.on_commit(invalidate_after_commit, using=using, robust=True)


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


def _listed(names: Iterable[str]) -> Iterable[str]:
    """``names`` read now, on the caller's side: a generator is not read on another thread."""
    return names if isinstance(names, str) else tuple(names)
