"""A cancelled ``aquery`` never leaves its entry's cache lock held.

On a backend with locks (django-redis), a miss takes the entry's lock while it computes, and
concurrent misses wait for it (up to ``CACHE_LOCK_TIMEOUT``). The lock is taken and released in
trips to Django's database thread; a task cancelled while one of them waits there must not
leave the lock behind, or every miss of that entry waits the whole timeout.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import caches

from django_functionalkit import Cacheable, Messenger, Query
from django_functionalkit.behaviors import CacheBehavior
from django_functionalkit.behaviors.caching import lock
from django_functionalkit.behaviors.caching.keys import Entry
from django_functionalkit.registry import Registry, make_spec
from tests.cancelling import cancel_twice_then_release

pytestmark = pytest.mark.requires_redis

WAIT = 5  # seconds: only a broken test waits that long


@dataclass(frozen=True)
class GetReport(Query[str], Cacheable):
    cache_key = "review-report"
    cache_alias = "redis"


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


def lock_held() -> bool:
    cache: Any = caches["redis"]
    return bool(cache.client.get_client().exists(cache.make_key(Entry(GetReport(), None).lock_key)))


async def test_cancelled_twice_while_it_releases_the_lock(release: threading.Event) -> None:
    """A timeout, then the client gone, while the release waits for the database thread."""
    computing = asyncio.Event()
    thread_busy = threading.Event()
    busy: list[asyncio.Future[None]] = []

    def occupy() -> None:
        thread_busy.set()
        release.wait(WAIT)

    async def get_report(query: GetReport) -> str:
        # Something else of this request keeps the database thread busy for a while.
        busy.append(asyncio.ensure_future(sync_to_async(occupy, thread_sensitive=True)()))
        computing.set()
        await asyncio.Event().wait()
        return "never"

    handlers = Registry()
    handlers.register(make_spec(get_report))
    bus = Messenger(handlers, behaviors=[CacheBehavior()])
    await sync_to_async(caches["redis"].clear)()
    task = asyncio.create_task(bus.aquery(GetReport()))
    await computing.wait()
    assert await asyncio.to_thread(thread_busy.wait, WAIT)
    assert await asyncio.to_thread(lock_held)
    await cancel_twice_then_release(task, release)  # the release waits for the thread
    await busy[0]
    assert not await asyncio.to_thread(lock_held)


async def test_cancelled_while_it_takes_the_lock(
    release: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock is taken in the thread after the task was cancelled: it is released."""
    taking = threading.Event()
    real = lock._try_lock

    def slow_try_lock(held: Any, entry: Entry, *, blocking: bool) -> bool | None:
        taken = real(held, entry, blocking=blocking)  # Redis has the lock now
        taking.set()
        release.wait(WAIT)
        return taken

    monkeypatch.setattr(lock, "_try_lock", slow_try_lock)
    handlers = Registry()
    handlers.register(make_spec(lambda query: "the report", message_type=GetReport))
    bus = Messenger(handlers, behaviors=[CacheBehavior()])
    await sync_to_async(caches["redis"].clear)()
    task = asyncio.create_task(bus.aquery(GetReport()))
    assert await asyncio.to_thread(taking.wait, WAIT)
    task.cancel()
    await asyncio.sleep(0.05)
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not await asyncio.to_thread(lock_held)
