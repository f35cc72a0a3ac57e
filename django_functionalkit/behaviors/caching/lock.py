"""The lock that lets one process compute a missed entry while the others wait for it.

Only backends that have one (django-redis) lock; elsewhere every miss computes its entry.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Final, Protocol

from asgiref.sync import sync_to_async
from django.core.cache.backends.base import BaseCache

from django_functionalkit import conf
from django_functionalkit.behaviors.shield import to_the_end

from .failures import failed
from .keys import Entry

__all__ = ["Lock", "aacquire", "acquire", "arelease", "lock_for", "release"]

logger = logging.getLogger("django_functionalkit")

_LOCK_POLL_SECONDS: Final = 0.01  # how often a waiting miss asks whether the lock is free


class Lock(Protocol):
    """What django-redis's ``cache.lock()`` returns, as far as it is used here."""

    def acquire(self, *, blocking: bool) -> bool: ...

    def release(self) -> None: ...


def lock_for(cache: BaseCache, entry: Entry) -> Lock | None:
    """A lock on ``entry`` where the backend has them (django-redis), else ``None``."""
    make = getattr(cache, "lock", None)
    if make is None:
        return None
    seconds = conf.fk_settings.CACHE_LOCK_TIMEOUT
    try:
        lock: Lock = make(
            entry.lock_key,
            timeout=seconds,  # a crashed holder frees the key after this long
            blocking_timeout=seconds,
            sleep=_LOCK_POLL_SECONDS,
            thread_local=False,  # the async path may acquire and release on two threads
        )
    except Exception as exc:
        failed(exc, entry.alias, "locking", entry.name)
        return None
    return lock


def _try_lock(lock: Lock, entry: Entry, *, blocking: bool) -> bool | None:
    """Whether ``lock`` was acquired; ``None`` when the cache failed (logged)."""
    try:
        return bool(lock.acquire(blocking=blocking))
    except Exception as exc:
        failed(exc, entry.alias, "locking", entry.name)
        return None


def acquire(lock: Lock, entry: Entry) -> bool:
    """Wait up to CACHE_LOCK_TIMEOUT for ``lock``; ``False``: compute without it."""
    acquired = _try_lock(lock, entry, blocking=True)
    if acquired is False:
        _waited_too_long(entry)
    return bool(acquired)


async def aacquire(lock: Lock, entry: Entry) -> bool:
    """``acquire`` for the event loop: it waits in ``asyncio.sleep``, never in a thread.

    Each attempt is a non-blocking acquire in Django's sync thread; a blocking one would park a
    worker thread per waiting query, and enough of them would starve the release they wait for.
    """
    deadline = time.monotonic() + conf.fk_settings.CACHE_LOCK_TIMEOUT
    attempt = sync_to_async(_try_lock_into, thread_sensitive=True)
    while True:
        # Each attempt goes to its end even if the task is cancelled meanwhile: a lock taken
        # in the thread after the task stopped waiting would stay until it expires, and every
        # miss of the entry would wait for it. Taken, it is released before the task stops.
        taken: list[bool | None] = []
        try:
            await to_the_end(attempt(lock, entry, taken))
        except asyncio.CancelledError:
            if taken and taken[0]:
                await arelease(lock, entry)
            raise
        acquired = taken[0]
        if acquired is not False:
            return bool(acquired)
        if time.monotonic() >= deadline:
            _waited_too_long(entry)
            return False
        await asyncio.sleep(_LOCK_POLL_SECONDS)


def _try_lock_into(lock: Lock, entry: Entry, taken: list[bool | None]) -> None:
    """``_try_lock`` without blocking, its answer put in ``taken`` (read even if cancelled)."""
    taken.append(_try_lock(lock, entry, blocking=False))


def _waited_too_long(entry: Entry) -> None:
    logger.warning(
        "Waited CACHE_LOCK_TIMEOUT for another process to compute %s; computing it here.",
        entry.name,
    )


def release(lock: Lock, entry: Entry) -> None:
    """Release ``lock``; one that expired meanwhile is logged."""
    try:
        lock.release()
    except Exception as exc:  # expired: the handler took longer than CACHE_LOCK_TIMEOUT
        logger.warning("Releasing the cache lock of %s failed: %s", entry.name, exc)


async def arelease(lock: Lock, entry: Entry) -> None:
    """``release`` from the event loop, in Django's sync thread like the acquire."""
    # To its end even if the task is cancelled meanwhile (see aacquire).
    await to_the_end(sync_to_async(release, thread_sensitive=True)(lock, entry))
