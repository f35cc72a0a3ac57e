"""An ``InvalidatesCache`` command: once it succeeded and committed, bump what it declared.

A bump is one ``incr`` of a key's or a tag's generation, on any backend: every entry stamped
with the old value stops matching, for every actor.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

from django_functionalkit.behaviors.shield import to_the_end
from django_functionalkit.commit import defer_until_commit, in_transaction
from django_functionalkit.results import Failure

from .keys import declared_generations, namespace

__all__ = ["arun_and_invalidate", "bump", "run_and_invalidate"]

logger = logging.getLogger("django_functionalkit")


def run_and_invalidate(command: Any, call_next: Callable[[Any], Any]) -> Any:
    """Run ``command``, then invalidate what it declared if it succeeded."""
    before = _declared(command)
    result = call_next(command)
    if not isinstance(result, Failure):
        _invalidate_after_commit(command, before)
    return result


async def arun_and_invalidate(command: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
    """``run_and_invalidate`` for the async path."""
    # On Django's sync thread: invalidates_keys / invalidates_tags may read the database, and
    # an async command's transaction is open there, if any.
    before = await sync_to_async(_declared, thread_sensitive=True)(command)
    invalidate = sync_to_async(_invalidate_after_commit, thread_sensitive=True)
    try:
        result = await call_next(command)
    except asyncio.CancelledError:
        # Cancelled while its transaction committed, the command is done all the same: an
        # entry dropped for nothing costs one miss, a stale one is served until it expires.
        await to_the_end(invalidate(command, before))
        raise
    if not isinstance(result, Failure):
        await to_the_end(invalidate(command, before))  # a cancellation now would drop it
    return result


def _declared(command: Any) -> tuple[str, ...]:
    """The generations ``command`` declares now; a failing declaration is logged, not raised.

    They are read before the handler runs and again after it: a product that moves from one
    category to another invalidates the pages of both.
    """
    ns = namespace()
    try:
        return declared_generations(ns, command)
    except Exception as exc:
        logger.warning(
            "%s.invalidates_keys or invalidates_tags failed (%s: %s); what it would have "
            "declared is not invalidated.",
            type(command).__qualname__,
            type(exc).__name__,
            exc,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        return ()


def _invalidate_after_commit(command: Any, before: tuple[str, ...]) -> None:
    """Invalidate what ``command`` declared before and after it ran, when the transaction
    commits (never after a rollback), or now. The command succeeded: nothing here raises.

    A test's own transaction (TestCase, pytest-django's ``db``) never commits and does not
    count: there, as outside a test, the entries are invalidated at once.
    """
    generations = tuple(dict.fromkeys((*before, *_declared(command))))
    if not generations:
        return
    invalidate = functools.partial(
        bump, command.cache_alias, generations, after=type(command).__qualname__
    )
    if in_transaction():
        defer_until_commit(invalidate)
    else:
        invalidate()


def bump(alias: str, generations: tuple[str, ...], *, after: str) -> None:
    """Bump every generation in cache ``alias``; a failing cache is logged, never raised (the
    change it follows, ``after``, is done)."""
    cache = caches[alias]
    try:
        for key in generations:
            _bump(cache, key)
    except Exception as exc:
        logger.warning(
            "Cache %r failed while invalidating after %s (%s: %s); its entries stay "
            "until they expire.",
            alias,
            after,
            type(exc).__name__,
            exc,
        )


def _bump(cache: BaseCache, key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # no generation: no entry can match it anyway
        return
