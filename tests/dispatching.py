"""Dispatching one message through the sync API or the async one, for tests of both paths."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync

from django_functionalkit import Messenger

Dispatch = Callable[[Any], Any]
PATHS = ["sync", "async"]


def dispatcher(bus: Messenger, path: str) -> Dispatch:
    """``query``/``send`` on the sync path; ``aquery``/``asend`` run to completion on the other.

    ``async_to_sync`` runs the event loop in another thread and serves the thread-sensitive
    ``sync_to_async`` calls on this one, inside the test's transaction: a database query made
    from the event loop itself would raise SynchronousOnlyOperation.
    """
    if path == "sync":
        return lambda message: (bus.query if message.kind == "query" else bus.send)(message)

    async def adispatch(message: Any) -> Any:
        return await (bus.aquery if message.kind == "query" else bus.asend)(message)

    return async_to_sync(adispatch)
