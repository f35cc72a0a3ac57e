"""Work a cancellation must not cut in half: opening or closing a transaction, an audit entry."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

__all__ = ["to_the_end"]

T = TypeVar("T")


async def to_the_end(awaitable: Awaitable[T]) -> T:
    """Await ``awaitable`` to its end even if the awaiting task is cancelled meanwhile.

    A cancellation that came while it ran is raised once it has finished (with its result lost):
    an ``asyncio.timeout`` still ends in ``TimeoutError``, a client gone still stops the task.
    Without it, the task would stop waiting while the work went on in Django's database thread,
    or never ran (``sync_to_async`` drops a call still queued when it is cancelled).
    """
    task = asyncio.ensure_future(awaitable)
    cancelled: asyncio.CancelledError | None = None
    while True:
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError as exc:
            if task.done():  # the work itself was cancelled, not only the wait for it
                raise
            cancelled = cancelled or exc
            continue
        if cancelled is not None:
            raise cancelled
        return result
