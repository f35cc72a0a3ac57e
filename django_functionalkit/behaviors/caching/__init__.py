"""``CacheBehavior``: ``Cacheable`` queries come from Django's cache; ``InvalidatesCache`` commands
drop entries once they succeeded and committed.

An entry is stamped with the generations of its key and tags and served only while they are
current, so invalidating is one ``incr`` per key or tag: ``keys`` lays out the keys, ``queries``
serves hits and fills misses (under ``lock`` where the backend has one), ``invalidation`` bumps
after commands; ``explicit`` (``invalidate``) and ``model_changes`` (``invalidates_on_change``)
bump after changes made outside commands.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async

from django_functionalkit.behaviors.base import Behavior
from django_functionalkit.commit import note_writes
from django_functionalkit.markers import Cacheable, InvalidatesCache
from django_functionalkit.messages import Command, Message, Query

from .invalidation import arun_and_invalidate, run_and_invalidate
from .queries import aserve, serve

__all__ = ["CacheBehavior"]


class CacheBehavior(Behavior):
    """Serves ``Cacheable`` queries from the cache and runs ``InvalidatesCache`` invalidations.

    A ``Failure`` is never cached, any other result is (``None`` included); a command
    invalidates only when it succeeded, after its transaction commits. A cache that fails
    (Redis down) is logged as a warning and the handler runs as if nothing were cached.
    """

    def applies_to(self, message_type: type[Message]) -> bool:
        """Queries marked ``Cacheable`` and commands marked ``InvalidatesCache``."""
        if issubclass(message_type, Query):
            return issubclass(message_type, Cacheable)
        return issubclass(message_type, Command) and issubclass(message_type, InvalidatesCache)

    def handle(self, message: Any, call_next: Callable[[Any], Any]) -> Any:
        """The sync path: a cached query, or a command followed by its invalidation."""
        if message.kind == "command":
            note_writes()  # a query after it in this transaction must see its writes
            return run_and_invalidate(message, call_next)
        return serve(message, call_next)

    async def ahandle(self, message: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        """The async path: the same, through the cache's async API and worker threads."""
        if message.kind == "command":
            # Where its transaction is, if any: on Django's database thread.
            await sync_to_async(note_writes, thread_sensitive=True)()
            return await arun_and_invalidate(message, call_next)
        return await aserve(message, call_next)
